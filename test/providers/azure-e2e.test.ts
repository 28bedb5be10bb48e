import { afterEach, describe, expect, it } from "vitest";
import recorded from "../fixtures/recorded/azure/stream-content-filter.chunks.txt?raw";
import { openai, post } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

const completion = { id: "chatcmpl-az", object: "chat.completion", created: 1, model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: "Hi from Azure" }, finish_reason: "stop", content_filter_results: {} }], prompt_filter_results: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } };

/** The recorded Azure stream, as Azure sends it: one `data:` line per chunk, split at odd byte offsets. */
function recordedStream(): Response {
  const text = recorded.trim().split("\n").map((l: string) => `data: ${l}\n\n`).join("") + "data: [DONE]\n\n";
  const bytes = new TextEncoder().encode(text);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 37) parts.push(bytes.subarray(i, i + 37));
  return chunked(parts);
}

afterEach(resetUpstreams);

describe("azure", () => {
  it("calls the deployment URL with api-version and the api-key header", async () => {
    fakeUpstream("https://myres.openai.azure.test/openai/deployments/my-gpt-deployment/chat/completions", () => json(completion));
    const res = await openai().chat.completions.create({ model: "azure-gpt", messages: [{ role: "user", content: "hi" }] });
    expect(res.choices[0]!.message.content).toBe("Hi from Azure");
    expect(received[0]!.url).toBe("https://myres.openai.azure.test/openai/deployments/my-gpt-deployment/chat/completions?api-version=2024-10-21");
    expect(received[0]!.headers["api-key"]).toBe("azure-test-key-0123456789");
    expect(received[0]!.headers.authorization).toBeUndefined();
  });

  it("uses Azure's v1 form with the model in the body, and an Entra ID token as a bearer", async () => {
    fakeUpstream("https://myres.openai.azure.test/openai/v1/chat/completions", () => json(completion));
    fakeUpstream("https://adres.openai.azure.test/openai/deployments/my-gpt-deployment/chat/completions", () => json(completion));
    await openai().chat.completions.create({ model: "azure-v1", messages: [{ role: "user", content: "hi" }] });
    await openai().chat.completions.create({ model: "azure-ad", messages: [{ role: "user", content: "hi" }] });
    expect(received[0]!.url).toBe("https://myres.openai.azure.test/openai/v1/chat/completions");
    expect(received[0]!.json()).toMatchObject({ model: "gpt-4.1-mini" });
    expect(received[1]!.headers.authorization).toBe("Bearer entra-token-abcdefghijkl");
    expect(received[1]!.headers["api-key"]).toBeUndefined();
  });

  it("streams the recorded Azure traffic (an empty-id prompt-filter chunk first, usage with reasoning tokens last)", async () => {
    fakeUpstream("https://myres.openai.azure.test/openai/deployments/my-gpt-deployment/chat/completions", () => recordedStream());
    const stream = await openai().chat.completions.create({ model: "azure-gpt", messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? "";
      usage = c.usage ?? usage;
    }
    const expected = recorded
      .trim()
      .split("\n")
      .map((l: string) => JSON.parse(l))
      .map((c: { choices: Array<{ delta?: { content?: string } }> }) => c.choices[0]?.delta?.content ?? "")
      .join("");
    expect(text).toBe(expected);
    expect(usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
    expect(received[0]!.json()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("maps a content-filter refusal to content_policy_violation", async () => {
    fakeUpstream("https://myres.openai.azure.test/openai/deployments/my-gpt-deployment/chat/completions", () =>
      json({ error: { message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.", type: null, param: "prompt", code: "content_filter", status: 400, innererror: { code: "ResponsibleAIPolicyViolation" } } }, 400),
    );
    const res = await post("/v1/chat/completions", { model: "azure-gpt", messages: [{ role: "user", content: "bad" }] });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: "content_policy_violation" });
  });

  it("embeds through the deployment's embeddings URL", async () => {
    fakeUpstream("https://myres.openai.azure.test/openai/deployments/my-embedding-deployment/embeddings", () =>
      json({ object: "list", data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2] }], model: "text-embedding-3-small", usage: { prompt_tokens: 2, total_tokens: 2 } }),
    );
    const res = await openai().embeddings.create({ model: "azure-embed", input: "hello", encoding_format: "float" });
    expect(res.data[0]!.embedding).toEqual([0.1, 0.2]);
    expect(received[0]!.url).toBe("https://myres.openai.azure.test/openai/deployments/my-embedding-deployment/embeddings?api-version=2024-10-21");
  });
});
