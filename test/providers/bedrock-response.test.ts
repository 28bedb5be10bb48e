import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/http/errors";
import { bedrockChat } from "../../src/providers/bedrock";
import { adapterCtx, bedrockDep, errorFixture, fixtures } from "./bedrock-helpers";

const translate = (text: string, dep = bedrockDep()) => {
  const r = bedrockChat.response(text, dep, adapterCtx());
  return { body: JSON.parse(r.json) as Record<string, any>, usage: r.usage };
};

describe("bedrock Converse answers as chat.completion", () => {
  it("recorded text answer", () => {
    const { body, usage } = translate(fixtures.recordedText);
    expect(body).toEqual({
      id: "chatcmpl-req-1",
      object: "chat.completion",
      created: 1700000000,
      model: "anthropic.claude-3-5-sonnet-20240620-v1:0",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: 'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** "r"s in "strawberry."' },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 22, completion_tokens: 57, total_tokens: 79, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect(usage).toEqual({ prompt_tokens: 22, completion_tokens: 57, total_tokens: 79, cached_tokens: 0, cache_creation_tokens: 0 });
  });

  it("recorded tool call: id, name, arguments as a JSON string, finish tool_calls, content null", () => {
    const { body } = translate(fixtures.recordedTool);
    expect(body.choices[0]).toEqual({
      index: 0,
      message: { role: "assistant", content: null, tool_calls: [{ id: "tool-use-id", type: "function", function: { name: "bash", arguments: '{"command":"ls -l"}' } }] },
      logprobs: null,
      finish_reason: "tool_calls",
    });
    expect(body.usage).toEqual({ prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 });
  });

  it("reasoning as reasoning_content, with the thinking blocks (signature, redacted) to replay", () => {
    const { body } = translate(fixtures.reasoning);
    expect(body.choices[0].message).toEqual({
      role: "assistant",
      content: "17 × 23 = 391.",
      reasoning_content: "The user asks for 17 * 23. 17 * 20 = 340, 17 * 3 = 51, so 391.",
      thinking_blocks: [
        { type: "thinking", thinking: "The user asks for 17 * 23. 17 * 20 = 340, 17 * 3 = 51, so 391.", signature: "EqQBCkYIBxgCKkBzaWduYXR1cmUtb2YtdGhlLXJlYXNvbmluZw==" },
        { type: "redacted_thinking", data: "cmVkYWN0ZWQtcmVhc29uaW5nLWJ5dGVz" },
      ],
    });
  });

  it("cache reads and writes count in prompt_tokens; max_tokens is finish 'length'", () => {
    const { body, usage } = translate(fixtures.cacheUsage);
    expect(body.choices[0].finish_reason).toBe("length");
    expect(body.usage).toEqual({ prompt_tokens: 2512, completion_tokens: 8, total_tokens: 2520, prompt_tokens_details: { cached_tokens: 2000 } });
    expect(usage).toEqual({ prompt_tokens: 2512, completion_tokens: 8, total_tokens: 2520, cached_tokens: 2000, cache_creation_tokens: 500 });
  });

  it("the forced json tool's input is the content, finish 'stop'", () => {
    const { body } = translate(fixtures.jsonTool);
    expect(body.choices[0].message).toEqual({ role: "assistant", content: '{"city":"Paris","population":2102650}' });
    expect(body.choices[0].finish_reason).toBe("stop");
  });

  it("guardrail_intervened is content_filter", () => {
    expect(translate(fixtures.guardrail).body.choices[0].finish_reason).toBe("content_filter");
  });

  it("an unreadable answer is a 502", () => {
    for (const text of ["not json", '{"output":{}}', "[]"]) {
      expect(() => bedrockChat.response(text, bedrockDep(), adapterCtx())).toThrow(GatewayError);
      try {
        bedrockChat.response(text, bedrockDep(), adapterCtx());
      } catch (e) {
        expect((e as GatewayError).status).toBe(502);
      }
    }
  });
});

describe("bedrock errors", () => {
  const mapped = (name: Parameters<typeof errorFixture>[0], dep = bedrockDep()) => {
    const f = errorFixture(name);
    return bedrockChat.error(f.status, JSON.stringify(f.body), new Headers(f.headers), dep);
  };

  for (const [name, status, type, code] of [
    ["throttling", 429, "rate_limit_exceeded", "rate_limit_exceeded"],
    ["serviceUnavailable", 503, "service_unavailable", null],
    ["modelNotReady", 503, "service_unavailable", "model_not_ready"],
    ["accessDenied", 403, "permission_error", null],
    ["unrecognizedClient", 401, "authentication_error", "invalid_api_key"],
    ["expiredToken", 401, "authentication_error", "invalid_api_key"],
    ["validation", 400, "invalid_request_error", null],
    ["tooLong", 400, "invalid_request_error", "context_length_exceeded"],
    ["notFound", 404, "invalid_request_error", "model_not_found"],
    ["modelTimeout", 408, "timeout", "timeout"],
  ] as const) {
    it(`${name}: ${status} ${type}${code ? ` (${code})` : ""}`, () => {
      const err = mapped(name);
      expect(err.status).toBe(status);
      expect(err.type).toBe(type);
      expect(err.code).toBe(code);
      expect(err.message).toContain((errorFixture(name).body as { message: string }).message);
    });
  }

  it("names the AWS error type in the message, and passes retry-after on", () => {
    const err = mapped("throttling");
    expect(err.message).toBe("ThrottlingException: Too many requests, please wait before trying again.");
    expect(err.headers["retry-after"]).toBe("3");
  });

  it("reads the type from __type when there is no header (com.amazon.coral.service#...)", () => {
    expect(mapped("expiredToken").message).toMatch(/^ExpiredTokenException: /);
  });

  it("a content-filter refusal is content_policy_violation", () => {
    const err = bedrockChat.error(
      400,
      JSON.stringify({ message: "Output blocked by content filtering policy" }),
      new Headers({ "x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/" }),
      bedrockDep(),
    );
    expect(err.code).toBe("content_policy_violation");
  });

  it("other context-length wordings", () => {
    for (const message of [
      "prompt is too long: 210000 tokens > 200000 maximum",
      "The model returned the following errors: input length and `max_tokens` exceed context limit",
      "Too many input tokens.",
    ]) {
      expect(bedrockChat.error(400, JSON.stringify({ message }), new Headers(), bedrockDep()).code).toBe("context_length_exceeded");
    }
  });

  it("an error body without JSON keeps the upstream status and its text; no secret is echoed", () => {
    const dep = bedrockDep(undefined, { aws_secret_access_key: "very-secret-value-0123456789" });
    const err = bedrockChat.error(502, "Bad gateway (very-secret-value-0123456789)", new Headers(), dep);
    expect(err.status).toBe(502);
    expect(err.message).toBe("Bad gateway ([redacted])");
  });
});
