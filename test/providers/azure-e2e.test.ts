import { afterEach, describe, expect, it } from "vitest";
import completion from "../fixtures/azure/completion.json?raw";
import contentFilterStream from "../fixtures/azure/content-filter.chunks.txt?raw";
import embeddings from "../fixtures/azure/embeddings.json?raw";
import errorContentFilter from "../fixtures/azure/error-content-filter.json?raw";
import error429 from "../fixtures/azure/error-429.json?raw";
import toolCall from "../fixtures/azure/tool-call.json?raw";
import toolStream from "../fixtures/azure/tool-call.chunks.txt?raw";
import recorded from "../fixtures/recorded/azure/stream-content-filter.chunks.txt?raw";
import { openai, post } from "../helpers/gateway";
import { chunked, fakeUpstream, received, resetUpstreams } from "../helpers/upstream";

const DEPLOYMENT = "https://myres.openai.azure.test/openai/deployments/my-gpt-deployment/chat/completions";
const jsonBody = (text: string, status = 200, headers: Record<string, string> = {}) => new Response(text, { status, headers: { "content-type": "application/json", ...headers } });

/** A `*.chunks.txt` fixture as Azure streams it: one `data:` line per chunk, `[DONE]`, cut every 37 bytes. */
function azureStream(lines: string): Response {
  const text =
    lines
      .trim()
      .split("\n")
      .map((l) => `data: ${l}\n\n`)
      .join("") + "data: [DONE]\n\n";
  const bytes = new TextEncoder().encode(text);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 37) parts.push(bytes.subarray(i, i + 37));
  return chunked(parts);
}

const weather = { type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } };

afterEach(resetUpstreams);

describe("azure through the worker, with the official openai client", () => {
  it("calls the deployment URL with the api-version and the api-key header; the answer passes on", async () => {
    fakeUpstream(DEPLOYMENT, () => jsonBody(completion));
    const res = await openai().chat.completions.create({ model: "azure-gpt", messages: [{ role: "user", content: "Capital of Denmark?" }], max_completion_tokens: 40, temperature: 0 });
    expect(res.choices[0]!.message.content).toBe("Copenhagen is the capital of Denmark.");
    expect(res.usage).toMatchObject({ prompt_tokens: 14, completion_tokens: 8 });
    expect((res as unknown as { prompt_filter_results: unknown[] }).prompt_filter_results).toHaveLength(1);
    expect(received[0]!.url).toBe(`${DEPLOYMENT}?api-version=2024-10-21`);
    expect(received[0]!.headers["api-key"]).toBe("azure-test-key-0123456789");
    expect(received[0]!.headers.authorization).toBeUndefined();
    expect(received[0]!.json()).toEqual({ model: "my-gpt-deployment", messages: [{ role: "user", content: "Capital of Denmark?" }], max_completion_tokens: 40, temperature: 0 });
  });

  it("uses Azure's v1 API (model in the body, no api-version) for v1 and latest, and an Entra ID token as a bearer", async () => {
    fakeUpstream("https://myres.openai.azure.test/openai/v1/chat/completions", () => jsonBody(completion));
    fakeUpstream("https://latestres.openai.azure.test/openai/v1/chat/completions", () => jsonBody(completion));
    fakeUpstream("https://adres.openai.azure.test/openai/deployments/my-gpt-deployment/chat/completions", () => jsonBody(completion));
    await openai().chat.completions.create({ model: "azure-v1", messages: [{ role: "user", content: "hi" }] });
    await openai().chat.completions.create({ model: "azure-latest", messages: [{ role: "user", content: "hi" }] });
    await openai().chat.completions.create({ model: "azure-ad", messages: [{ role: "user", content: "hi" }] });
    expect(received[0]!.url).toBe("https://myres.openai.azure.test/openai/v1/chat/completions");
    expect(received[0]!.json()).toMatchObject({ model: "gpt-4.1-mini" });
    expect(received[1]!.url).toBe("https://latestres.openai.azure.test/openai/v1/chat/completions");
    expect(received[1]!.json()).toMatchObject({ model: "my-gpt-deployment" });
    expect(received[2]!.url).toBe("https://adres.openai.azure.test/openai/deployments/my-gpt-deployment/chat/completions?api-version=2024-10-21");
    expect(received[2]!.headers.authorization).toBe("Bearer entra-token-abcdefghijkl");
    expect(received[2]!.headers["api-key"]).toBeUndefined();
  });

  it("strips LiteLLM's o_series/ route from the deployment name", async () => {
    fakeUpstream("https://ores.openai.azure.test/openai/deployments/my-o3-deployment/chat/completions", () => jsonBody(completion));
    await openai().chat.completions.create({ model: "azure-o", messages: [{ role: "user", content: "hi" }], reasoning_effort: "low" });
    expect(received[0]!.url).toBe("https://ores.openai.azure.test/openai/deployments/my-o3-deployment/chat/completions?api-version=2024-10-21");
    expect(received[0]!.json()).toMatchObject({ model: "my-o3-deployment", reasoning_effort: "low" });
  });

  it("streams the recorded traffic: no empty-id prompt-filter chunk, one id, usage with reasoning tokens when asked", async () => {
    fakeUpstream(DEPLOYMENT, () => azureStream(recorded));
    const stream = await openai().chat.completions.create({ model: "azure-gpt", messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage;
    let finish;
    const ids = new Set<string>();
    for await (const c of stream) {
      ids.add(c.id);
      text += c.choices[0]?.delta.content ?? "";
      finish = c.choices[0]?.finish_reason ?? finish;
      usage = c.usage ?? usage;
    }
    expect(text).toBe("Capital of Denmark.");
    expect(finish).toBe("stop");
    expect([...ids]).toEqual(["chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt"]);
    expect(usage).toMatchObject({ prompt_tokens: 15, completion_tokens: 78, completion_tokens_details: { reasoning_tokens: 64 } });
    expect(received[0]!.json()).toMatchObject({ model: "my-gpt-deployment", stream: true, stream_options: { include_usage: true } });
  });

  it("asks for stream usage even when the client did not, and keeps the usage chunk from the client", async () => {
    fakeUpstream(DEPLOYMENT, () => azureStream(recorded));
    const stream = await openai().chat.completions.create({ model: "azure-gpt", messages: [{ role: "user", content: "hi" }], stream: true });
    let usageSeen = false;
    let text = "";
    for await (const c of stream) {
      if (c.usage) usageSeen = true;
      text += c.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe("Capital of Denmark.");
    expect(usageSeen).toBe(false);
    expect(received[0]!.json()).toMatchObject({ stream_options: { include_usage: true } });
  });

  it("does not send stream_options to an api-version that refuses it", async () => {
    fakeUpstream("https://oldres.openai.azure.test/openai/deployments/legacy-gpt/chat/completions", () => azureStream(recorded));
    const stream = await openai().chat.completions.create({ model: "azure-old", messages: [{ role: "user", content: "hi" }], stream: true });
    for await (const _ of stream) void _;
    expect(received[0]!.url).toBe("https://oldres.openai.azure.test/openai/deployments/legacy-gpt/chat/completions?api-version=2024-02-01");
    expect(received[0]!.json()).not.toHaveProperty("stream_options");
  });

  it("answers a tool call, and sends the tools as they came", async () => {
    fakeUpstream(DEPLOYMENT, () => jsonBody(toolCall));
    const res = await openai().chat.completions.create({ model: "azure-gpt", messages: [{ role: "user", content: "Weather in Copenhagen?" }], tools: [weather], tool_choice: "auto" });
    expect(res.choices[0]!.finish_reason).toBe("tool_calls");
    expect(res.choices[0]!.message.tool_calls![0]).toMatchObject({ id: "call_Az1GxkPq7aT2", function: { name: "get_weather", arguments: '{"city":"Copenhagen"}' } });
    expect(received[0]!.json()).toMatchObject({ tools: [weather], tool_choice: "auto" });
  });

  it("streams a tool call", async () => {
    fakeUpstream(DEPLOYMENT, () => azureStream(toolStream));
    const stream = await openai().chat.completions.create({ model: "azure-gpt", messages: [{ role: "user", content: "Weather in Copenhagen?" }], tools: [weather], stream: true });
    let args = "";
    let name;
    let finish;
    for await (const c of stream) {
      for (const t of c.choices[0]?.delta.tool_calls ?? []) {
        name = t.function?.name ?? name;
        args += t.function?.arguments ?? "";
      }
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe("get_weather");
    expect(JSON.parse(args)).toEqual({ city: "Copenhagen" });
    expect(finish).toBe("tool_calls");
  });

  it("passes a streamed finish_reason content_filter on, and the openai client's stream helper reads the stream", async () => {
    fakeUpstream(DEPLOYMENT, () => azureStream(contentFilterStream));
    const stream = openai().chat.completions.stream({ model: "azure-gpt", messages: [{ role: "user", content: "Tell me a story" }] });
    const final = await stream.finalChatCompletion();
    expect(final.id).toBe("chatcmpl-CYPTdz1Azure0004");
    expect(final.choices[0]).toMatchObject({ finish_reason: "content_filter", message: { content: "The story begins" } });
  });

  it("maps a content-filter refusal to content_policy_violation, and a 429 with its retry hints", async () => {
    fakeUpstream(DEPLOYMENT, () => jsonBody(errorContentFilter, 400));
    const refused = await openai()
      .chat.completions.create({ model: "azure-gpt", messages: [{ role: "user", content: "bad" }] })
      .catch((e) => e);
    expect(refused.status).toBe(400);
    expect(refused.error).toMatchObject({ code: "content_policy_violation", param: "prompt" });
    fakeUpstream(DEPLOYMENT, () => jsonBody(error429, 429, { "retry-after": "6", "retry-after-ms": "5200" }));
    const limited = await post("/v1/chat/completions", { model: "azure-gpt", messages: [{ role: "user", content: "x" }], num_retries: 0 });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("6");
    expect((await limited.json()).error).toMatchObject({ type: "rate_limit_exceeded", code: "rate_limit_exceeded" });
  });

  it("embeds through the deployment's embeddings URL, base64 passed to Azure as asked", async () => {
    fakeUpstream("https://myres.openai.azure.test/openai/deployments/my-embedding-deployment/embeddings", () => jsonBody(embeddings));
    const res = await openai().embeddings.create({ model: "azure-embed", input: ["hello", "world"], encoding_format: "float", dimensions: 3 });
    expect(res.data[1]!.embedding).toEqual([0.25, -0.5, 0.125]);
    expect(res.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
    expect(received[0]!.url).toBe("https://myres.openai.azure.test/openai/deployments/my-embedding-deployment/embeddings?api-version=2024-10-21");
    expect(received[0]!.headers["api-key"]).toBe("azure-test-key-0123456789");
    expect(received[0]!.json()).toEqual({ model: "my-embedding-deployment", input: ["hello", "world"], encoding_format: "float", dimensions: 3 });
  });
});
