import { invalidRequest } from "../../http/errors";
import type { ChatRequest } from "../../api/chat";
import type { AdapterContext } from "../types";

/**
 * Refuses OpenAI parameters a provider cannot honour, naming the parameter, unless drop_params
 * is on (config or request), in which case they are dropped.
 */
export function refuseUnsupported(req: ChatRequest, ctx: AdapterContext, provider: string, unsupported: readonly string[]): void {
  if (ctx.dropParams) return;
  const r = req as Record<string, unknown>;
  for (const name of unsupported) {
    const v = r[name];
    if (v === undefined || v === null || v === false) continue;
    if (name === "n" && v === 1) continue;
    throw invalidRequest(`The parameter '${name}' is not supported by ${provider}. Remove it, or set drop_params: true (in the request or in litellm_settings) to drop it.`, name);
  }
}

/** OpenAI parameters neither Anthropic's Messages API nor Bedrock's Converse API has an equivalent for. */
export const NOT_IN_MESSAGES_APIS = [
  "n",
  "logprobs",
  "top_logprobs",
  "logit_bias",
  "presence_penalty",
  "frequency_penalty",
  "seed",
  "audio",
  "prediction",
  "web_search_options",
  "functions",
  "function_call",
  "service_tier",
  "store",
  "verbosity",
  "prompt_cache_key",
  "safety_identifier",
] as const;

/** `max_completion_tokens` wins over `max_tokens`, as in OpenAI's API. */
export const maxTokensOf = (req: ChatRequest): number | undefined => req.max_completion_tokens ?? req.max_tokens ?? undefined;

/** `stop` as a list. */
export const stopList = (req: ChatRequest): string[] | undefined => (req.stop == null ? undefined : Array.isArray(req.stop) ? req.stop : [req.stop]);

/** A message's text content (string content, or its text parts joined). */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((p): p is { type: "text"; text: string } => !!p && typeof p === "object" && (p as { type?: unknown }).type === "text")
    .map((p) => p.text)
    .join("");
}

/** Parses a tool call's JSON arguments; a malformed string is a 400 naming the message. */
export function parseArguments(args: string, param: string): unknown {
  if (!args) return {};
  try {
    return JSON.parse(args);
  } catch {
    throw invalidRequest(`The tool call arguments at '${param}' are not valid JSON.`, param);
  }
}
