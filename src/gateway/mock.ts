import { GatewayError, invalidRequest, rateLimited } from "../http/errors";
import type { Usage } from "../providers/types";
import type { FailureKind } from "../router/retry";
import type { CallControls } from "./controls";
import type { Outcome } from "./types";

/**
 * LiteLLM's test hooks: `mock_response` answers without calling the upstream (usage as LiteLLM's
 * mock_completion reports it: 10 prompt and 20 completion tokens), and the hooks that make the
 * requested model group fail so that its fallbacks run. A mocked failure reaches no upstream,
 * cools no deployment and counts as no upstream failure.
 */

/** LiteLLM's DEFAULT_MOCK_RESPONSE_PROMPT_TOKEN_COUNT and DEFAULT_MOCK_RESPONSE_COMPLETION_TOKEN_COUNT. */
export const MOCK_USAGE: Usage = { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 };

interface MockFailure {
  error: GatewayError;
  kind: FailureKind;
}

const mockError = (status: 500, message: string) => new GatewayError(status, message, "internal_server_error", "mock_error");

/** The failure the requested model group's attempts end in, when a test hook asks for one. */
export function mockFailure(controls: CallControls, group: string): MockFailure | undefined {
  if (controls.mockTestingRateLimitError) {
    return { error: rateLimited(`This is a mock exception for model=${group}, to trigger a rate limit error.`, 1), kind: "fallback" };
  }
  if (controls.mockTestingFallbacks) return { error: mockError(500, `This is a mock exception for model=${group}, to trigger a fallback.`), kind: "fallback" };
  switch (controls.mockResponse) {
    case "litellm.RateLimitError":
      return { error: rateLimited("this is a mock rate limit error", 1), kind: "fallback" };
    case "litellm.InternalServerError":
      return { error: mockError(500, "this is a mock internal server error"), kind: "fallback" };
    case "litellm.ContextWindowExceededError":
      return { error: invalidRequest("this is a mock context window exceeded error", "messages", "context_length_exceeded"), kind: "context" };
    default:
      return undefined;
  }
}

/** The mocked answer's text, when `mock_response` is one (not one of LiteLLM's error names). */
export function mockText(controls: CallControls): string | undefined {
  const m = controls.mockResponse;
  if (m === undefined || m.startsWith("litellm.")) return undefined;
  return m;
}

/** A chat completion answering `text`, in OpenAI's shape (n choices). */
export function mockChatJson(text: string, model: string, id: string, created: number, n: number): string {
  const choices = Array.from({ length: n }, (_, index) => ({ index, message: { role: "assistant", content: text }, finish_reason: "stop" }));
  return JSON.stringify({ id: `chatcmpl-${id}`, object: "chat.completion", created, model, choices, usage: MOCK_USAGE });
}

/** The same answer streamed (3 characters a chunk, as LiteLLM's mock stream), usage reported to the call's spend. */
export function mockChatStream(text: string, model: string, id: string, created: number, includeUsage: boolean, promptTokens: number): Outcome {
  const base = { id: `chatcmpl-${id}`, object: "chat.completion.chunk", created, model };
  const events: unknown[] = [{ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] }];
  for (let i = 0; i < text.length; i += 3) events.push({ ...base, choices: [{ index: 0, delta: { content: text.slice(i, i + 3) }, finish_reason: null }] });
  events.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
  const completion = Math.ceil(text.length / 4);
  const usage: Usage = { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
  if (includeUsage) events.push({ ...base, choices: [], usage });
  const sse = `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("")}data: [DONE]\n\n`;
  return {
    kind: "stream",
    upstream: new Response(sse),
    render(_body, spend) {
      const bytes = new TextEncoder().encode(sse);
      return new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
          spend.sink.produced?.(text.length);
          spend.sink.text?.(text);
          spend.sink.usage(usage);
          spend.sink.responseId?.(base.id);
          spend.sink.end("complete");
        },
      });
    },
  };
}
