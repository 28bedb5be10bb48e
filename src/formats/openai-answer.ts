import type { EventSourceMessage } from "eventsource-parser";
import { upstreamUnreadable } from "../http/errors";
import { isObject } from "../http/json";

/** What the other client formats read of an OpenAI chat answer, complete or streamed. */

type Json = Record<string, unknown>;

/** The first choice of an OpenAI chat.completion JSON text; 502 when it is not JSON or has no message. */
export function firstChoice(openaiJson: string): { message: Json; finish_reason?: unknown; stop_reason?: unknown } {
  let parsed: { choices?: Array<{ message?: Json; finish_reason?: unknown; stop_reason?: unknown }> };
  try {
    parsed = JSON.parse(openaiJson);
  } catch {
    throw upstreamUnreadable("The upstream answer is not JSON.");
  }
  const choice = parsed?.choices?.[0];
  if (!choice?.message) throw upstreamUnreadable("The upstream answer has no message.");
  return { ...choice, message: choice.message };
}

/** One event of an OpenAI chat stream: `done` for `[DONE]`, else the chunk, or undefined for an event that is not a JSON object (skipped). */
export function chatChunkOf(e: EventSourceMessage): "done" | Json | undefined {
  const data = e.data.trim();
  if (data === "[DONE]") return "done";
  try {
    const chunk: unknown = JSON.parse(data);
    return isObject(chunk) ? chunk : undefined;
  } catch {
    return undefined;
  }
}
