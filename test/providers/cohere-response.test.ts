import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/http/errors";
import { cohereChat } from "../../src/providers/cohere";
import { cohereError } from "../../src/providers/cohere/errors";
import error400 from "../fixtures/cohere/error-400.json?raw";
import errorTooMany from "../fixtures/cohere/error-400-too-many-tokens.json?raw";
import error429 from "../fixtures/cohere/error-429.json?raw";
import error498 from "../fixtures/cohere/error-498.json?raw";
import error499 from "../fixtures/cohere/error-499.json?raw";
import error503 from "../fixtures/cohere/error-503.json?raw";
import maxTokens from "../fixtures/cohere/max-tokens.json?raw";
import nullArgs from "../fixtures/cohere/null-args.json?raw";
import text from "../fixtures/cohere/text.json?raw";
import thinking from "../fixtures/cohere/thinking.json?raw";
import toolCall from "../fixtures/cohere/tool-call.json?raw";
import { cohereDep, ctxOf } from "./cohere-helpers";

const answer = (body: string) => {
  const r = cohereChat.response(body, cohereDep(), ctxOf());
  return { ...r, completion: JSON.parse(r.json) };
};

const thrown = (f: () => unknown): GatewayError => {
  try {
    f();
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("expected a GatewayError");
};

describe("cohere v2 answers", () => {
  it("a text answer as a chat.completion, with the billed usage", () => {
    const { completion, usage } = answer(text);
    expect(completion).toEqual({
      id: "chatcmpl-req-1",
      object: "chat.completion",
      created: 1700000000,
      model: "command-a-03-2025",
      choices: [{ index: 0, message: { role: "assistant", content: "LLMs are language models trained on large text corpora." }, logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: 17, completion_tokens: 12, total_tokens: 29 },
    });
    expect(usage).toEqual({ prompt_tokens: 17, completion_tokens: 12, total_tokens: 29 });
  });

  it("a tool call, with the tool plan as reasoning_content and null content", () => {
    const { completion } = answer(toolCall);
    expect(completion.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: {
        role: "assistant",
        content: null,
        reasoning_content: "I will look up the weather in Toronto.",
        tool_calls: [{ id: "get_weather_1byjy32y4hvq", type: "function", function: { name: "get_weather", arguments: '{"location":"Toronto"}' } }],
      },
    });
  });

  it("'null' arguments of a tool without parameters are '{}'", () => {
    expect(answer(nullArgs).completion.choices[0].message.tool_calls[0].function.arguments).toBe("{}");
  });

  it("a reasoning model's thinking as reasoning_content, the text intact", () => {
    const { completion, usage } = answer(thinking);
    expect(completion.choices[0].message).toEqual({ role: "assistant", content: "17 × 23 = 391 — déjà vérifié.", reasoning_content: "The user wants 17 × 23. 17 × 20 = 340, 17 × 3 = 51, so 391." });
    expect(usage).toEqual({ prompt_tokens: 14, completion_tokens: 48, total_tokens: 62, cached_tokens: 0 });
  });

  it("MAX_TOKENS is length", () => {
    expect(answer(maxTokens).completion.choices[0].finish_reason).toBe("length");
  });

  it("cached tokens are reported only when they fit within the billed prompt", () => {
    const within = {
      finish_reason: "COMPLETE",
      message: { content: [{ type: "text", text: "ok" }] },
      usage: { billed_units: { input_tokens: 900, output_tokens: 2 }, tokens: { input_tokens: 1100, output_tokens: 2 }, cached_tokens: 512 },
    };
    expect(answer(JSON.stringify(within)).completion.usage).toEqual({ prompt_tokens: 900, completion_tokens: 2, total_tokens: 902, prompt_tokens_details: { cached_tokens: 512 } });
    const beyond = { ...within, usage: { ...within.usage, billed_units: { input_tokens: 12, output_tokens: 2 } } };
    expect(answer(JSON.stringify(beyond)).usage).toEqual({ prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 });
    const tokensOnly = { ...within, usage: { tokens: { input_tokens: 40, output_tokens: 3 } } };
    expect(answer(JSON.stringify(tokensOnly)).usage).toEqual({ prompt_tokens: 40, completion_tokens: 3, total_tokens: 43 });
  });

  it("ERROR and TIMEOUT are failures (retryable), not finishes; an unreadable body is a 502", () => {
    const failed = thrown(() => answer(JSON.stringify({ finish_reason: "ERROR", message: { content: [] } })));
    expect(failed).toMatchObject({ status: 502, code: "upstream_error" });
    expect(thrown(() => answer(JSON.stringify({ finish_reason: "TIMEOUT", message: { content: [{ type: "text", text: "part" }] } })))).toMatchObject({ status: 408 });
    expect(thrown(() => answer("<html>"))).toMatchObject({ status: 502 });
    expect(thrown(() => answer("{}")).message).toContain("no 'message'");
  });
});

describe("cohere errors", () => {
  const dep = cohereDep();
  const err = (status: number, body: string, headers: Record<string, string> = {}) => cohereError(status, body, new Headers(headers), dep);

  it("maps statuses and keeps Cohere's message", () => {
    expect(err(429, error429, { "retry-after": "3" })).toMatchObject({
      status: 429,
      type: "rate_limit_exceeded",
      message: "You are using a Trial key, which is limited to 10 API calls / minute.",
      headers: { "retry-after": "3" },
    });
    expect(err(498, error498)).toMatchObject({ status: 401, type: "authentication_error", message: "invalid api token" });
    expect(err(401, error498)).toMatchObject({ status: 401 });
    expect(err(499, error499)).toMatchObject({ status: 502, message: "Cohere cancelled the request: request cancelled" });
    expect(err(503, error503)).toMatchObject({ status: 503, type: "service_unavailable" });
    expect(err(422, JSON.stringify({ message: "unprocessable" }))).toMatchObject({ status: 400, type: "invalid_request_error" });
    expect(err(400, error400)).toMatchObject({ status: 400, code: null, message: "invalid request: p must be between 0.01 and 0.99" });
    expect(err(500, "upstream exploded")).toMatchObject({ status: 500, message: "upstream exploded" });
  });

  it("a prompt that does not fit is context_length_exceeded", () => {
    expect(err(400, errorTooMany)).toMatchObject({ status: 400, code: "context_length_exceeded" });
  });

  it("never echoes the deployment's key", () => {
    expect(err(401, JSON.stringify({ message: "bad key cohere-unit-secret-0123456789" })).message).toBe("bad key [redacted]");
  });
});
