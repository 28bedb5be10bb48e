import { afterEach, describe, expect, it } from "vitest";
import completion from "../fixtures/workers-ai/completion.json?raw";
import embeddings from "../fixtures/workers-ai/embeddings.json?raw";
import error3036 from "../fixtures/workers-ai/error-3036.json?raw";
import toolCall from "../fixtures/workers-ai/tool-call.json?raw";
import textStream from "../fixtures/workers-ai/text.chunks.txt?raw";
import toolStream from "../fixtures/workers-ai/tool-call.chunks.txt?raw";
import { openai, post } from "../helpers/gateway";
import { chunked, fakeUpstream, received, resetUpstreams } from "../helpers/upstream";

const BASE = "https://api.cloudflare.com/client/v4/accounts/acc0123456789/ai/v1";
const jsonBody = (text: string, status = 200) => new Response(text, { status, headers: { "content-type": "application/json" } });

/** A `*.chunks.txt` fixture as an SSE stream, cut every 23 bytes. */
function stream(lines: string, done = true): Response {
  const text =
    lines
      .trim()
      .split("\n")
      .map((l) => `data: ${l}\n\n`)
      .join("") + (done ? "data: [DONE]\n\n" : "");
  const bytes = new TextEncoder().encode(text);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 23) parts.push(bytes.subarray(i, i + 23));
  return chunked(parts);
}

const weather = { type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } };

afterEach(resetUpstreams);

describe("workers ai through the worker, with the official openai client", () => {
  it("calls the account's OpenAI-compatible endpoint with the API token and the @cf model name, priced as Cloudflare prices it", async () => {
    fakeUpstream(`${BASE}/chat/completions`, () => jsonBody(completion));
    const { data: res, response } = await openai()
      .chat.completions.create({ model: "cf-llama", messages: [{ role: "user", content: "hello" }], max_tokens: 64 })
      .withResponse();
    expect(res.choices[0]!.message.content).toBe("Hello! How can I help you today?");
    expect(res.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 10 });
    expect(Number(response.headers.get("x-gateway-cost"))).toBeGreaterThan(0);
    expect(received[0]!.url).toBe(`${BASE}/chat/completions`);
    expect(received[0]!.headers.authorization).toBe("Bearer cf-api-token-0123456789");
    expect(received[0]!.json()).toEqual({ model: "@cf/meta/llama-3.1-8b-instruct", messages: [{ role: "user", content: "hello" }], max_tokens: 64 });
  });

  it("takes LiteLLM's cloudflare/ prefix with its native /ai/run/ api_base, and an AI Gateway api_base", async () => {
    fakeUpstream("https://api.cloudflare.com/client/v4/accounts/acc9876543210/ai/v1/chat/completions", () => jsonBody(completion));
    fakeUpstream("https://gateway.ai.cloudflare.test/v1/acc0123456789/my-gateway/workers-ai/v1/chat/completions", () => jsonBody(completion));
    await openai().chat.completions.create({ model: "cf-litellm", messages: [{ role: "user", content: "hello" }] });
    await openai().chat.completions.create({ model: "cf-gateway", messages: [{ role: "user", content: "hello" }] });
    expect(received.map((r) => r.url)).toEqual([
      "https://api.cloudflare.com/client/v4/accounts/acc9876543210/ai/v1/chat/completions",
      "https://gateway.ai.cloudflare.test/v1/acc0123456789/my-gateway/workers-ai/v1/chat/completions",
    ]);
    expect(received.every((r) => r.json<{ model: string }>().model === "@cf/meta/llama-3.1-8b-instruct")).toBe(true);
  });

  it("streams with the usage chunk when asked, and asks Workers AI for usage", async () => {
    fakeUpstream(`${BASE}/chat/completions`, () => stream(textStream));
    const s = await openai().chat.completions.create({ model: "cf-llama", messages: [{ role: "user", content: "salut" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage;
    for await (const c of s) {
      text += c.choices[0]?.delta.content ?? "";
      usage = c.usage ?? usage;
    }
    expect(text).toBe("Bonjour, ça va ?");
    expect(usage).toEqual({ prompt_tokens: 15, completion_tokens: 6, total_tokens: 21 });
    expect(received[0]!.json()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("a stream that ends after its finish_reason without [DONE] still ends cleanly", async () => {
    fakeUpstream(`${BASE}/chat/completions`, () => stream(textStream, false));
    const res = await post("/v1/chat/completions", { model: "cf-llama", messages: [{ role: "user", content: "salut" }], stream: true });
    const text = await res.text();
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(text).not.toContain('"error"');
    expect(text).not.toContain('"usage"');
  });

  it("answers a tool call, and streams one", async () => {
    fakeUpstream(`${BASE}/chat/completions`, () => jsonBody(toolCall));
    const res = await openai().chat.completions.create({ model: "cf-llama", messages: [{ role: "user", content: "Weather in Lisbon?" }], tools: [weather] });
    expect(res.choices[0]!.finish_reason).toBe("tool_calls");
    expect(res.choices[0]!.message.tool_calls![0]).toMatchObject({ function: { name: "get_weather", arguments: '{"city": "Lisbon"}' } });
    expect(received[0]!.json()).toMatchObject({ tools: [weather] });

    fakeUpstream(`${BASE}/chat/completions`, () => stream(toolStream));
    const s = await openai().chat.completions.create({ model: "cf-llama", messages: [{ role: "user", content: "Weather in Lisbon?" }], tools: [weather], stream: true });
    let args = "";
    let id;
    let finish;
    for await (const c of s) {
      for (const t of c.choices[0]?.delta.tool_calls ?? []) {
        id = t.id ?? id;
        args += t.function?.arguments ?? "";
      }
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(id).toBe("chatcmpl-tool-0b7e3c1d2a4f4e88");
    expect(JSON.parse(args)).toEqual({ city: "Lisbon" });
    expect(finish).toBe("tool_calls");
  });

  it("embeds through /ai/v1/embeddings", async () => {
    fakeUpstream(`${BASE}/embeddings`, () => jsonBody(embeddings));
    const res = await openai().embeddings.create({ model: "cf-embed", input: "I love matcha", encoding_format: "float" });
    expect(res.data[0]!.embedding).toEqual([0.031, -0.0125, 0.0442]);
    expect(res.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
    expect(received[0]!.url).toBe(`${BASE}/embeddings`);
    expect(received[0]!.headers.authorization).toBe("Bearer cf-api-token-0123456789");
    expect(received[0]!.json()).toEqual({ model: "@cf/baai/bge-base-en-v1.5", input: "I love matcha", encoding_format: "float" });
  });

  it("passes Workers AI's errors on with their status, and refuses a streamed JSON mode before calling", async () => {
    fakeUpstream(`${BASE}/chat/completions`, () => jsonBody(error3036, 429));
    const limited = await openai()
      .chat.completions.create({ model: "cf-llama", messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(limited.status).toBe(429);
    expect(limited.error.message).toContain("daily free allocation");
    resetUpstreams();
    const refused = await post("/v1/chat/completions", { model: "cf-llama", messages: [{ role: "user", content: "x" }], stream: true, response_format: { type: "json_object" } });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toMatchObject({ type: "invalid_request_error", param: "response_format" });
    expect(received).toHaveLength(0);
  });
});
