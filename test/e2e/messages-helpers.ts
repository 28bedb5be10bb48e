import Anthropic from "@anthropic-ai/sdk";
import { exports } from "cloudflare:workers";
import { BASE, MASTER } from "../helpers/gateway";

/** The official Anthropic client, pointed at the worker (as Claude Code is with ANTHROPIC_BASE_URL). */
export function anthropic(key: string = MASTER, defaultHeaders?: Record<string, string>): Anthropic {
  return new Anthropic({
    apiKey: key,
    baseURL: BASE,
    maxRetries: 0,
    defaultHeaders,
    fetch: (url: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(url as RequestInfo, init)),
  });
}

/** OpenAI chat.completion JSON, as an OpenAI-compatible upstream answers. */
export const completion = (message: Record<string, unknown>, finish = "stop", usage: Record<string, unknown> = { prompt_tokens: 21, completion_tokens: 7, total_tokens: 28 }) => ({
  id: "chatcmpl-up",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o-mini-2024-07-18",
  choices: [{ index: 0, message: { role: "assistant", content: null, ...message }, finish_reason: finish, logprobs: null }],
  usage,
});

/** One OpenAI stream chunk. */
export const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  id: "chatcmpl-s",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, delta, finish_reason: finish }],
});

export const usageChunk = (prompt = 9, completion = 4) => ({
  id: "chatcmpl-s",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4o-mini",
  choices: [],
  usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
});

export interface SseEvent {
  event: string | null;
  data: Record<string, any>;
}

/** An SSE body as its events (`event:` name and JSON `data:`). */
export function parseSse(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .filter((e) => e.trim())
    .map((e) => {
      let event: string | null = null;
      let data = "";
      for (const line of e.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      return { event, data: JSON.parse(data) as Record<string, any> };
    });
}
