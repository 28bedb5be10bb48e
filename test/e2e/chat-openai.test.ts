import { afterEach, describe, expect, it } from "vitest";
import { openai, post } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams, sse } from "../helpers/upstream";

const completion = (content: string, usage = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 }) => ({
  id: "chatcmpl-up1",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o-mini-2024-07-18",
  choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop", logprobs: null }],
  usage,
});

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  id: "chatcmpl-s1",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, delta, finish_reason: finish }],
  usage: null,
});
const usageChunk = { id: "chatcmpl-s1", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } };

afterEach(resetUpstreams);

describe("chat completions through an OpenAI-compatible upstream", () => {
  it("answers the official client, non-streamed, with the upstream's body and the gateway's headers", async () => {
    fakeUpstream("https://api.openai.test/v1", () => json(completion("Hello there")));
    const { data, response } = await openai()
      .chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe("Hello there");
    expect(data.usage?.total_tokens).toBe(17);
    expect(response.headers.get("x-gateway-deployment")).toBe("oai-mini");
    expect(response.headers.get("x-litellm-model-id")).toBe("oai-mini");
    expect(response.headers.get("x-gateway-attempts")).toBe("1");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(response.headers.get("x-gateway-cost"))).toBeGreaterThan(0);
    expect(response.headers.get("x-litellm-response-cost")).toBe(response.headers.get("x-gateway-cost"));
    // What the upstream received: its own model name, our key for it, the messages.
    expect(received).toHaveLength(1);
    expect(received[0]!.url).toBe("https://api.openai.test/v1/chat/completions");
    expect(received[0]!.headers.authorization).toBe("Bearer sk-upstream-secret-openai-0123456789");
    expect(received[0]!.json()).toMatchObject({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
  });

  it("uses the provider's default base URL when no api_base is configured", async () => {
    fakeUpstream("https://api.openai.com/v1", () => json(completion("default")));
    fakeUpstream("https://api.groq.com/openai/v1", () => json(completion("groq")));
    const a = await openai().chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] });
    const b = await openai().chat.completions.create({ model: "groq-llama", messages: [{ role: "user", content: "x" }] });
    expect(a.choices[0]!.message.content).toBe("default");
    expect(b.choices[0]!.message.content).toBe("groq");
    expect(received.map((r) => r.url)).toEqual(["https://api.openai.com/v1/chat/completions", "https://api.groq.com/openai/v1/chat/completions"]);
    expect(received[1]!.json()).toMatchObject({ model: "llama-3.1-8b-instant" });
  });

  it("streams, asks the upstream for usage and strips it again when the client did not ask", async () => {
    fakeUpstream("https://api.openai.test/v1", () =>
      chunked([sse([chunk({ role: "assistant", content: "" }), chunk({ content: "Hel" })], false), sse([chunk({ content: "lo" }), chunk({}, "stop"), usageChunk])]),
    );
    const stream = await openai().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], stream: true });
    let text = "";
    const chunks = [];
    for await (const c of stream) {
      chunks.push(c);
      text += c.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe("Hello");
    expect(chunks.every((c) => !c.usage)).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(received[0]!.json()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("streams the usage chunk when the client asks for it", async () => {
    fakeUpstream("https://api.openai.test/v1", () => chunked([sse([chunk({ role: "assistant", content: "ok" }), chunk({}, "stop"), usageChunk])]));
    const stream = await openai().chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });
  });

  it("ends a stream that breaks mid-way with an error event and no [DONE]", async () => {
    fakeUpstream("https://api.openai.test/v1", () => chunked([sse([chunk({ role: "assistant", content: "par" })], false)], "text/event-stream", { failAfter: true }));
    const res = await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"content":"par"');
    expect(text).not.toContain("[DONE]");
    const last = text.trim().split("\n\n").at(-1)!;
    expect(JSON.parse(last.slice(5))).toMatchObject({ error: { type: "upstream_error" } });
  });

  it("ends a stream that the upstream closes without [DONE] with an error event", async () => {
    fakeUpstream("https://api.openai.test/v1", () => chunked([sse([chunk({ role: "assistant", content: "cut" })], false)]));
    const res = await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], stream: true });
    const text = await res.text();
    expect(text).toContain('"content":"cut"');
    expect(text).not.toContain("[DONE]");
    expect(text).toContain('"error"');
  });
});
