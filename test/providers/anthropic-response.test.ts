import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/http/errors";
import { anthropicChat } from "../../src/providers/anthropic";
import { finishReason } from "../../src/providers/anthropic/response";
import { adapterCtx, anthropicDep, fixtures } from "./anthropic-helpers";

const translate = (text: string, model?: string) => {
  const out = anthropicChat.response(text, anthropicDep(model), adapterCtx());
  return { body: JSON.parse(out.json) as Record<string, any>, usage: out.usage };
};

describe("anthropic response translation", () => {
  it("recorded text answer: content, finish_reason, usage, the gateway's id", () => {
    const { body, usage } = translate(fixtures.recordedText);
    expect(body).toEqual({
      id: "chatcmpl-req-1",
      object: "chat.completion",
      created: 1700000000,
      model: "claude-sonnet-4-5-20250929",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?" },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 29, total_tokens: 41, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect(usage).toEqual({ prompt_tokens: 12, completion_tokens: 29, total_tokens: 41, cached_tokens: 0, cache_creation_tokens: 0 });
  });

  it("recorded tool_use answer: tool_calls with arguments as a JSON string, content null", () => {
    const { body } = translate(fixtures.recordedTool);
    const choice = body.choices[0];
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    expect(choice.message.tool_calls[0]).toMatchObject({ id: "toolu_01Q9ExVZnzZj7E2QQYHYtNUa", type: "function", function: { name: "json" } });
    expect(JSON.parse(choice.message.tool_calls[0].function.arguments).elements).toHaveLength(4);
  });

  it("cache reads and writes count in prompt_tokens and are reported apart", () => {
    const { body, usage } = translate(fixtures.cacheUsage);
    expect(usage).toEqual({ prompt_tokens: 21 + 2048 + 188, completion_tokens: 15, total_tokens: 2257 + 15, cached_tokens: 2048, cache_creation_tokens: 188 });
    expect(body.usage).toEqual({ prompt_tokens: 2257, completion_tokens: 15, total_tokens: 2272, prompt_tokens_details: { cached_tokens: 2048 } });
  });

  it("thinking as reasoning_content and thinking_blocks (signatures kept, to send back), text and tool calls", () => {
    const { body } = translate(fixtures.thinking);
    const m = body.choices[0].message;
    expect(m.content).toBe("Let me check the weather.");
    expect(m.reasoning_content).toBe("The user wants the weather in Paris. I should call the tool.");
    expect(m.thinking_blocks).toEqual([
      { type: "thinking", thinking: "The user wants the weather in Paris. I should call the tool.", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds" },
      { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP" },
    ]);
    expect(m.tool_calls).toEqual([{ id: "toolu_01ThinkTool", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }]);
  });

  it("the forced JSON tool comes back as content with finish_reason stop", () => {
    const answer = {
      model: "claude-3-5-sonnet-20241022",
      content: [{ type: "tool_use", id: "toolu_1", name: "json_tool_call", input: { name: "Ada" } }],
      stop_reason: "tool_use",
      usage: { input_tokens: 5, output_tokens: 3 },
    };
    const { body } = translate(JSON.stringify(answer), "claude-3-5-sonnet-20241022");
    expect(body.choices[0]).toMatchObject({ message: { role: "assistant", content: '{"name":"Ada"}' }, finish_reason: "stop" });
    expect(body.choices[0].message.tool_calls).toBeUndefined();
    expect(body.usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });

  it("maps every stop_reason", () => {
    expect(finishReason("end_turn")).toBe("stop");
    expect(finishReason("stop_sequence")).toBe("stop");
    expect(finishReason("max_tokens")).toBe("length");
    expect(finishReason("tool_use")).toBe("tool_calls");
    expect(finishReason("refusal")).toBe("content_filter");
    expect(finishReason("pause_turn")).toBe("stop");
    expect(finishReason(null)).toBe("stop");
    const refused = { content: [], stop_reason: "refusal", usage: { input_tokens: 1, output_tokens: 0 } };
    expect(translate(JSON.stringify(refused)).body.choices[0]).toMatchObject({ message: { content: null }, finish_reason: "content_filter" });
  });

  it("an unreadable answer is a 502", () => {
    for (const text of ["not json", "{}", '{"content":"x"}']) {
      try {
        translate(text);
        throw new Error("expected a 502");
      } catch (e) {
        expect(e).toBeInstanceOf(GatewayError);
        expect((e as GatewayError).status).toBe(502);
      }
    }
  });
});

describe("anthropic error mapping", () => {
  const map = (status: number, text: string, headers: Record<string, string> = {}) => anthropicChat.error(status, text, new Headers(headers), anthropicDep());

  it("rate_limit_error: 429 with retry-after passed on", () => {
    const e = map(429, fixtures.errorRateLimit, { "retry-after": "17", "anthropic-ratelimit-input-tokens-remaining": "0" });
    expect(e.status).toBe(429);
    expect(e.type).toBe("rate_limit_exceeded");
    expect(e.code).toBe("rate_limit_exceeded");
    expect(e.message).toContain("exceed the rate limit");
    expect(e.headers["retry-after"]).toBe("17");
  });

  it("overloaded_error (HTTP 529): 503", () => {
    const e = map(529, fixtures.errorOverloaded);
    expect(e.status).toBe(503);
    expect(e.type).toBe("service_unavailable");
    expect(e.message).toBe("Overloaded");
  });

  it("prompt too long: 400 context_length_exceeded", () => {
    const e = map(400, fixtures.errorPromptTooLong);
    expect(e).toMatchObject({ status: 400, type: "invalid_request_error", code: "context_length_exceeded" });
    const other = map(400, JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "input length and `max_tokens` exceed context limit: 197000 + 8192 > 200000" } }));
    expect(other.code).toBe("context_length_exceeded");
    const plain = map(400, JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "messages: roles must alternate" } }));
    expect(plain.code).toBeNull();
  });

  it("content filtering: 400 content_policy_violation", () => {
    const e = map(400, JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "Output blocked by content filtering policy" } }));
    expect(e.code).toBe("content_policy_violation");
  });

  it("authentication 401, permission 403, not found 404, api_error 500", () => {
    expect(map(401, fixtures.errorAuth)).toMatchObject({ status: 401, type: "authentication_error", message: "invalid x-api-key" });
    expect(map(403, fixtures.errorPermission)).toMatchObject({ status: 403, type: "permission_error" });
    expect(map(404, fixtures.errorNotFound)).toMatchObject({ status: 404, type: "invalid_request_error" });
    expect(map(500, fixtures.errorApi)).toMatchObject({ status: 500, type: "api_error", message: "Internal server error" });
  });

  it("never echoes the deployment's key; a non-JSON body is the message", () => {
    const e = map(401, JSON.stringify({ type: "error", error: { type: "authentication_error", message: "bad key sk-ant-unit-secret-0123456789" } }));
    expect(e.message).not.toContain("sk-ant-unit-secret-0123456789");
    expect(e.message).toContain("[redacted]");
    const html = map(502, "<html>Bad gateway</html>");
    expect(html).toMatchObject({ status: 502, message: "<html>Bad gateway</html>" });
  });
});
