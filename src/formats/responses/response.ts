import { firstChoice } from "../openai-answer";
import type { Usage } from "../../providers/types";
import type { ResponsesRequest } from "./schema";

/** The Responses API's `response` object, built from the internal (chat) answer. */

type Json = Record<string, unknown>;

export interface ResponseContext {
  requestId: string;
  /** Unix seconds. */
  created: number;
  req: ResponsesRequest;
}

const compact = (requestId: string) => requestId.replace(/-/g, "");
export const responseId = (ctx: ResponseContext) => `resp_${compact(ctx.requestId)}`;
export const itemId = (ctx: ResponseContext, kind: "msg" | "fc" | "rs", n: number) => `${kind}_${compact(ctx.requestId)}${n ? `_${n}` : ""}`;

/** Usage in the Responses API's terms. */
function responsesUsage(u: Usage | null): Json | null {
  if (!u) return null;
  return {
    input_tokens: u.prompt_tokens,
    input_tokens_details: { cached_tokens: u.cached_tokens ?? 0 },
    output_tokens: u.completion_tokens,
    output_tokens_details: { reasoning_tokens: u.reasoning_tokens ?? 0 },
    total_tokens: u.total_tokens,
  };
}

/** The response object around `output`: the request's settings echoed, as OpenAI does. */
export function responseObject(ctx: ResponseContext, status: string, output: Json[], usage: Usage | null, incomplete: string | null = null): Json {
  const req = ctx.req;
  return {
    id: responseId(ctx),
    object: "response",
    created_at: ctx.created,
    status,
    error: null,
    incomplete_details: incomplete ? { reason: incomplete } : null,
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    model: req.model,
    output,
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: req.reasoning?.effort ?? null, summary: null },
    store: false,
    temperature: req.temperature ?? null,
    text: { format: req.text?.format ?? { type: "text" } },
    tool_choice: req.tool_choice ?? "auto",
    tools: req.tools ?? [],
    top_p: req.top_p ?? null,
    truncation: "disabled",
    usage: responsesUsage(usage),
    user: req.user ?? null,
    metadata: req.metadata ?? {},
  };
}

export const messageItem = (id: string, text: string, status = "completed"): Json => ({
  id,
  type: "message",
  status,
  role: "assistant",
  content: text || status === "completed" ? [{ type: "output_text", text, annotations: [], logprobs: [] }] : [],
});

export const functionCallItem = (id: string, callId: string, name: string, args: string, status = "completed"): Json => ({
  id,
  type: "function_call",
  status,
  call_id: callId,
  name,
  arguments: args,
});

export const reasoningItem = (id: string, text: string): Json => ({ id, type: "reasoning", summary: [], content: [{ type: "reasoning_text", text }] });

/** `length` finishes the response as incomplete; content filtering too. */
export function incompleteReason(finish: unknown): string | null {
  if (finish === "length") return "max_output_tokens";
  if (finish === "content_filter") return "content_filter";
  return null;
}

/** The Responses JSON text for an OpenAI chat.completion JSON text and its usage. */
export function toResponse(openaiJson: string, usage: Usage | null, ctx: ResponseContext): string {
  const choice = firstChoice(openaiJson);
  const msg = choice.message;
  const output: Json[] = [];
  const reasoning = typeof msg.reasoning_content === "string" ? msg.reasoning_content : "";
  if (reasoning) output.push(reasoningItem(itemId(ctx, "rs", 0), reasoning));
  const text = typeof msg.content === "string" ? msg.content : "";
  if (text) output.push(messageItem(itemId(ctx, "msg", 0), text));
  else if (typeof msg.refusal === "string") {
    output.push({ id: itemId(ctx, "msg", 0), type: "message", status: "completed", role: "assistant", content: [{ type: "refusal", refusal: msg.refusal }] });
  }
  const calls = Array.isArray(msg.tool_calls) ? (msg.tool_calls as Json[]) : [];
  calls.forEach((call, i) => {
    const fn = (call.function ?? {}) as Json;
    output.push(functionCallItem(itemId(ctx, "fc", i), String(call.id ?? ""), String(fn.name ?? ""), String(fn.arguments ?? "")));
  });
  const incomplete = incompleteReason(choice.finish_reason);
  return JSON.stringify(responseObject(ctx, incomplete ? "incomplete" : "completed", output, usage, incomplete));
}
