import type { Deployment } from "../../config/deployment";
import { invalidRequest } from "../../http/errors";
import type { ChatRequest } from "../../api/chat";
import { maxTokensOf, refuseUnsupported, stopList } from "../shared/params";
import type { AdapterContext } from "../types";
import { cohereMessages } from "./messages";
import type { Json } from "./types";

/** OpenAI params Cohere's v2 chat has no equivalent for (its logprobs differ in shape): 400 naming them unless drop_params. */
export const UNSUPPORTED = ["n", "logprobs", "top_logprobs", "logit_bias"] as const;

/** Thinking budgets for reasoning_effort (LiteLLM's low/medium/high values, as the Anthropic adapter uses). */
const THINKING_BUDGET: Record<string, number> = { minimal: 1024, low: 1024, medium: 2048, high: 4096, xhigh: 8192 };

/**
 * The v2 chat body (https://docs.cohere.com/reference/chat):
 * - max_tokens / max_completion_tokens -> max_tokens; stop -> stop_sequences; top_p -> p, held
 *   within Cohere's [0.01, 0.99] (clients send top_p: 1 for "no cut-off", which 0.99 is closest to);
 *   temperature, seed pass; frequency/presence penalties pass within Cohere's [0, 1], else a 400;
 * - tools in the same function shape (`strict` on every tool -> Cohere's request-wide
 *   `strict_tools`); tool_choice required -> REQUIRED, none -> NONE (tools still sent, so a
 *   conversation that used them stays valid), a named function -> that tool alone, REQUIRED
 *   (Cohere cannot name one); parallel_tool_calls: false cannot be honoured (Cohere may call
 *   several): a 400 unless drop_params;
 * - response_format json_object -> json_object, json_schema -> json_object with its json_schema;
 * - reasoning_effort -> `thinking` (none: disabled; else enabled with a token budget).
 * `user` is the client's own tag and is not sent.
 */
export function cohereBody(req: ChatRequest, dep: Deployment, ctx: AdapterContext): Json {
  refuseUnsupported(req, ctx, "Cohere", UNSUPPORTED);
  const body: Json = { model: dep.model, messages: cohereMessages(req.messages), stream: req.stream === true };
  const max = maxTokensOf(req);
  if (max !== undefined) body.max_tokens = max;
  if (req.temperature != null) body.temperature = req.temperature;
  if (req.top_p != null) body.p = Math.min(0.99, Math.max(0.01, req.top_p));
  const stop = stopList(req);
  if (stop) body.stop_sequences = stop;
  if (req.seed != null) body.seed = req.seed;
  for (const name of ["frequency_penalty", "presence_penalty"] as const) {
    const v = req[name];
    if (v == null) continue;
    if (v >= 0 && v <= 1) body[name] = v;
    else if (!ctx.dropParams) throw invalidRequest(`Cohere takes '${name}' between 0 and 1; got ${v}. Use a value in that range, or set drop_params: true to drop it.`, name);
  }
  if (req.parallel_tool_calls === false && req.tools?.length && !ctx.dropParams) {
    throw invalidRequest("Cohere cannot be kept to one tool call per turn: 'parallel_tool_calls: false' is not supported. Remove it, or set drop_params: true to drop it.", "parallel_tool_calls");
  }
  Object.assign(body, tools(req));
  const format = responseFormat(req);
  if (format) body.response_format = format;
  const effort = req.reasoning_effort;
  if (effort) body.thinking = effort === "none" ? { type: "disabled" } : { type: "enabled", token_budget: THINKING_BUDGET[effort] ?? 2048 };
  return body;
}

function tools(req: ChatRequest): Json {
  const choice = req.tool_choice;
  if (!req.tools?.length) {
    if (choice === "required" || (choice && typeof choice === "object")) throw invalidRequest("tool_choice asks for a tool call, but the request has no tools.", "tool_choice");
    return {};
  }
  let list = req.tools;
  const out: Json = {};
  if (choice && typeof choice === "object") {
    list = list.filter((t) => t.function.name === choice.function.name);
    if (!list.length) throw invalidRequest(`tool_choice names the function '${choice.function.name}', which is not in tools.`, "tool_choice.function.name");
    out.tool_choice = "REQUIRED";
  } else if (choice === "required") out.tool_choice = "REQUIRED";
  else if (choice === "none") out.tool_choice = "NONE";
  out.tools = list.map((t) => {
    const fn: Json = { name: t.function.name, parameters: t.function.parameters ?? { type: "object", properties: {} } };
    if (t.function.description) fn.description = t.function.description;
    return { type: "function", function: fn };
  });
  if (list.every((t) => (t.function as { strict?: unknown }).strict === true)) out.strict_tools = true;
  return out;
}

function responseFormat(req: ChatRequest): Json | undefined {
  const rf = req.response_format;
  if (rf?.type === "json_object") return { type: "json_object" };
  if (rf?.type === "json_schema") return rf.json_schema?.schema ? { type: "json_object", json_schema: rf.json_schema.schema } : { type: "json_object" };
  return undefined;
}
