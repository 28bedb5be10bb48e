import type { Deployment } from "../../config/deployment";
import { upstreamUnreadable } from "../../http/errors";
import type { AdapterContext, TranslatedResponse } from "../types";
import { toOpenAIUsage } from "../usage";
import { cohereUsage, failureOf, finishReason } from "./outcome";
import type { CohereChatResponse, CohereToolCall, Json } from "./types";

/**
 * Tool call arguments as OpenAI clients parse them: Cohere sends "null" (or nothing) for a tool
 * that takes no arguments, which is "{}" to an OpenAI client.
 */
const toolArguments = (args: string | null | undefined): string => (!args || args.trim() === "null" ? "{}" : args);

/** A `stop` that came with tool calls is OpenAI's `tool_calls` (what OpenAI clients look for). */
const finishOf = (r: string | undefined, withCalls: boolean) => {
  const f = finishReason(r);
  return f === "stop" && withCalls ? "tool_calls" : f;
};

/**
 * A full v2 answer as an OpenAI chat completion: the text items of `message.content` joined as
 * `content`; a reasoning model's `thinking` items and the `tool_plan` (Cohere's reasoning before
 * it calls tools) as `reasoning_content`, the field LiteLLM and DeepSeek use; tool calls as they
 * are. Citations (for `documents`, which OpenAI requests cannot send) are not carried.
 */
export function cohereResponse(text: string, dep: Deployment, ctx: AdapterContext): TranslatedResponse {
  let r: CohereChatResponse;
  try {
    r = JSON.parse(text) as CohereChatResponse;
  } catch {
    throw upstreamUnreadable("Cohere answered with a body that is not JSON.");
  }
  if (!r || typeof r !== "object" || !r.message) throw upstreamUnreadable("Cohere's answer has no 'message'.");
  const failed = failureOf(r.finish_reason);
  if (failed) throw failed;

  const items = Array.isArray(r.message.content) ? r.message.content : [];
  const content = items
    .filter((p) => p.type === "text")
    .map((p) => p.text ?? "")
    .join("");
  const reasoning = [...items.filter((p) => p.type === "thinking").map((p) => p.thinking ?? ""), r.message.tool_plan ?? ""].filter(Boolean).join("\n\n");
  const calls = (r.message.tool_calls ?? []).filter((t): t is CohereToolCall & { function: { name: string } } => typeof t?.function?.name === "string");

  const message: Json = { role: "assistant", content: content || (calls.length ? null : "") };
  if (reasoning) message.reasoning_content = reasoning;
  if (calls.length) {
    message.tool_calls = calls.map((t, i) => ({ id: t.id ?? `call_${i}`, type: "function", function: { name: t.function.name, arguments: toolArguments(t.function.arguments) } }));
  }
  const usage = cohereUsage(r.usage);
  const completion = {
    id: `chatcmpl-${ctx.requestId}`,
    object: "chat.completion",
    created: ctx.created,
    model: dep.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishOf(r.finish_reason, calls.length > 0) }],
    ...(usage ? { usage: toOpenAIUsage(usage) } : {}),
  };
  return { json: JSON.stringify(completion), usage };
}
