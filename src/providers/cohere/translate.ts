import type { Deployment } from "../../config/deployment";
import { invalidRequest, upstreamUnreadable } from "../../http/errors";
import type { ChatRequest } from "../../routes/chat-schema";
import { maxTokensOf, refuseUnsupported, stopList } from "../shared/params";
import type { AdapterContext, Usage } from "../types";
import { toOpenAIUsage } from "../usage";

type Json = Record<string, unknown>;

/** OpenAI params Cohere's v2 chat cannot honour (400 naming them unless drop_params). */
const UNSUPPORTED = ["n", "logprobs", "top_logprobs", "logit_bias", "parallel_tool_calls", "reasoning_effort"] as const;

/** Cohere v2 messages: the same roles as OpenAI; content as text or text parts (images are refused). */
function messages(req: ChatRequest): Json[] {
  return req.messages.map((m, i) => {
    const role = m.role === "developer" ? "system" : m.role === "function" ? "tool" : m.role;
    let content: unknown = m.content ?? "";
    if (Array.isArray(m.content)) {
      content = m.content.map((p, j) => {
        if (p.type !== "text") throw invalidRequest(`Cohere takes text content only; messages[${i}].content[${j}] is '${p.type}'.`, `messages[${i}].content[${j}].type`);
        return { type: "text", text: (p as { text?: string }).text ?? "" };
      });
    }
    const out: Json = { role, content };
    if (m.role === "assistant" && m.tool_calls?.length) {
      out.tool_calls = m.tool_calls.map((t) => ({ id: t.id, type: "function", function: { name: t.function.name, arguments: t.function.arguments } }));
      if (!m.content) delete out.content;
    }
    if (role === "tool") out.tool_call_id = m.tool_call_id;
    return out;
  });
}

/** The v2 chat body: https://docs.cohere.com/reference/chat */
export function cohereBody(req: ChatRequest, dep: Deployment, ctx: AdapterContext): Json {
  refuseUnsupported(req, ctx, "Cohere", UNSUPPORTED);
  const body: Json = { model: dep.model, messages: messages(req), stream: req.stream === true };
  const max = maxTokensOf(req);
  if (max !== undefined) body.max_tokens = max;
  if (req.temperature != null) body.temperature = req.temperature;
  if (req.top_p != null) body.p = req.top_p;
  const stop = stopList(req);
  if (stop) body.stop_sequences = stop;
  if (req.seed != null) body.seed = req.seed;
  if (req.frequency_penalty != null) body.frequency_penalty = req.frequency_penalty;
  if (req.presence_penalty != null) body.presence_penalty = req.presence_penalty;
  if (req.tools?.length && req.tool_choice !== "none") {
    body.tools = req.tools.map((t) => ({ type: "function", function: { name: t.function.name, description: t.function.description, parameters: t.function.parameters ?? { type: "object", properties: {} } } }));
    if (req.tool_choice === "required") body.tool_choice = "REQUIRED";
    else if (req.tool_choice && typeof req.tool_choice === "object") {
      // Cohere can only force "some tool": keep just the named one and require it.
      body.tools = (body.tools as Json[]).filter((t) => (t.function as Json).name === (req.tool_choice as { function: { name: string } }).function.name);
      body.tool_choice = "REQUIRED";
    }
  } else if (req.tool_choice === "none") body.tool_choice = "NONE";
  const rf = req.response_format;
  if (rf?.type === "json_object") body.response_format = { type: "json_object" };
  else if (rf?.type === "json_schema") body.response_format = { type: "json_object", json_schema: rf.json_schema?.schema ?? {} };
  return body;
}

/** COMPLETE/STOP_SEQUENCE -> stop, MAX_TOKENS -> length, TOOL_CALL -> tool_calls. */
export function finishReason(r: unknown): "stop" | "length" | "tool_calls" | "content_filter" {
  if (r === "MAX_TOKENS") return "length";
  if (r === "TOOL_CALL") return "tool_calls";
  return "stop";
}

/** Usage as billed (billed_units), which is what Cohere prices; `tokens` counts its own template too. */
export function cohereUsage(u: unknown): Usage | null {
  if (!u || typeof u !== "object") return null;
  const o = u as { billed_units?: Json; tokens?: Json; cached_tokens?: number };
  const src = (o.billed_units ?? o.tokens ?? {}) as { input_tokens?: number; output_tokens?: number };
  const prompt = src.input_tokens ?? 0;
  const completion = src.output_tokens ?? 0;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (o.cached_tokens && o.cached_tokens <= prompt) usage.cached_tokens = o.cached_tokens;
  return usage;
}

/** A full v2 answer as an OpenAI chat completion; the tool plan becomes reasoning_content. */
export function cohereResponse(text: string, dep: Deployment, ctx: AdapterContext): { json: string; usage: Usage | null } {
  let r: { message?: { content?: Array<{ type?: string; text?: string }>; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; tool_plan?: string }; finish_reason?: string; usage?: unknown };
  try {
    r = JSON.parse(text);
  } catch {
    throw upstreamUnreadable("Cohere answered with a body that is not JSON.");
  }
  if (!r?.message) throw upstreamUnreadable("Cohere's answer has no 'message'.");
  const content = (r.message.content ?? []).filter((p) => p.type === "text").map((p) => p.text ?? "").join("");
  const message: Json = { role: "assistant", content: content || (r.message.tool_calls?.length ? null : "") };
  if (r.message.tool_plan) message.reasoning_content = r.message.tool_plan;
  if (r.message.tool_calls?.length) {
    message.tool_calls = r.message.tool_calls.map((t) => ({ id: t.id, type: "function", function: { name: t.function.name, arguments: t.function.arguments ?? "{}" } }));
  }
  const usage = cohereUsage(r.usage);
  const completion = {
    id: `chatcmpl-${ctx.requestId}`,
    object: "chat.completion",
    created: ctx.created,
    model: dep.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(r.finish_reason) }],
    ...(usage ? { usage: toOpenAIUsage(usage) } : {}),
  };
  return { json: JSON.stringify(completion), usage };
}
