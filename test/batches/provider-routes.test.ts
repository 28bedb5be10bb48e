import { exports } from "cloudflare:workers";
import OpenAI, { toFile } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { nativeTarget } from "../../src/batches/native/choose";
import { resolveConfig } from "../../src/config/resolve";
import { BASE, eventually, gw, newKey, openai } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { chatLine, jsonl, parseLines } from "./helpers";
import { FakeBatchApi } from "./native-fake";

afterEach(resetUpstreams);

/** The official client at LiteLLM's provider-prefixed base URL (`.../azure/v1`, `.../openai/v1`). */
const clientAt = (key: string, root: string) =>
  new OpenAI({ apiKey: key, baseURL: `${BASE}${root}`, maxRetries: 0, fetch: (url: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(url as RequestInfo, init)) });

const inputFile = async (ids: string[], model: string) => toFile(new TextEncoder().encode(jsonl(ids.map((id) => chatLine(id, model)))), "in.jsonl");

async function until(client: OpenAI, id: string, status: string) {
  return eventually(async () => {
    const b = await client.batches.retrieve(id);
    return b.status === status ? b : undefined;
  }, 15_000);
}

const error = async (res: Response) => ({ status: res.status, ...((await res.json()) as { error: { message: string; param: string | null; code: string | null } }).error });

describe("LiteLLM's /{provider}/v1/files and /{provider}/v1/batches", () => {
  it("/azure/v1: the batch is forwarded to Azure's Batch API (native on_request), read, listed and its files fetched there", async () => {
    const fake = new FakeBatchApi("https://batchres.openai.azure.test/openai");
    const k = await newKey();
    const azure = clientAt(k.key, "/azure/v1");
    const file = await azure.files.create({ file: await inputFile(["x", "y"], "native-azure"), purpose: "batch" });
    const created = await azure.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    expect(fake.uploads).toHaveLength(1);
    const done = await until(azure, created.id, "completed");
    expect(done.request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
    const output = parseLines(await (await azure.files.content(done.output_file_id!)).text());
    expect(output.map((l) => l.custom_id)).toEqual(["x", "y"]);
    expect((await azure.files.retrieve(file.id)).id).toBe(file.id);
    expect((await azure.batches.list()).data.map((b) => b.id)).toEqual([created.id]);

    // The same batch is not OpenAI's: /openai/v1 neither lists nor reads it; /v1 reaches every batch.
    const viaOpenai = clientAt(k.key, "/openai/v1");
    expect((await viaOpenai.batches.list()).data).toEqual([]);
    await expect(viaOpenai.batches.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(viaOpenai.batches.cancel(created.id)).rejects.toMatchObject({ status: 404 });
    expect((await openai(k.key).batches.retrieve(created.id)).status).toBe("completed");
  });

  it("the custom_llm_provider query parameter and the custom-llm-provider header forward a batch as the path prefix does", async () => {
    const fake = new FakeBatchApi("https://batch.openai.test/v1");
    const k = await newKey();
    const client = openai(k.key);
    const file = await client.files.create({ file: await inputFile(["a"], "native-gpt"), purpose: "batch" });
    const asQuery = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" }, { query: { custom_llm_provider: "openai" } });
    const asHeader = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" }, { headers: { "custom-llm-provider": "openai" } });
    expect(fake.uploads).toHaveLength(2);
    await until(client, asQuery.id, "completed");
    await until(client, asHeader.id, "completed");
    const viaOpenai = clientAt(k.key, "/openai/v1");
    expect((await viaOpenai.batches.list()).data.map((b) => b.id).sort()).toEqual([asQuery.id, asHeader.id].sort());
  });

  it("refusals: an unknown provider, one whose Batch API the gateway does not call, two providers that disagree (400, nothing stored)", async () => {
    const k = await newKey();
    const client = openai(k.key);
    const file = await client.files.create({ file: await inputFile(["a"], "native-gpt"), purpose: "batch" });
    const create = (path: string, body: Record<string, unknown> = {}) =>
      gw(path, { method: "POST", key: k.key, body: JSON.stringify({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h", ...body }) });

    const unknown = await error(await create("/not-a-provider/v1/batches"));
    expect(unknown).toMatchObject({ status: 400, param: "custom_llm_provider", message: expect.stringContaining("Unknown provider 'not-a-provider'") });
    const vertex = await error(await create("/vertex_ai/v1/batches"));
    expect(vertex).toMatchObject({ status: 400, param: "custom_llm_provider", message: expect.stringContaining("not vertex_ai's: drop the provider") });
    const both = await error(await create("/azure/v1/batches", { custom_llm_provider: "openai" }));
    expect(both).toMatchObject({ status: 400, param: "custom_llm_provider", message: expect.stringContaining("two providers") });
    expect((await error(await gw("/bedrock/v1/files", { key: k.key }))).status).toBe(400);
    expect((await error(await gw(`/nope/v1/files/${file.id}/content`, { key: k.key }))).message).toContain("Unknown provider 'nope'");
    expect((await error(await gw("/v1/batches?custom_llm_provider=anthropic", { key: k.key }))).param).toBe("custom_llm_provider");
    // The key is checked before the provider: no key, 401.
    expect((await gw("/not-a-provider/v1/batches", { key: null })).status).toBe(401);
    expect((await client.batches.list()).data).toEqual([]);
    expect(received).toEqual([]);
  });

  it("a batch over a Bedrock model runs on the gateway, line by line through the Converse API", async () => {
    fakeUpstream("https://bedrock-proxy.test", (_r, body) => {
      const text = (JSON.parse(body) as { messages: Array<{ content: Array<{ text: string }> }> }).messages[0]!.content[0]!.text;
      return json({ output: { message: { role: "assistant", content: [{ text: `re: ${text}` }] } }, stopReason: "end_turn", usage: { inputTokens: 4, outputTokens: 2, totalTokens: 6 } });
    });
    const client = openai((await newKey()).key);
    const file = await client.files.create({ file: await inputFile(["b1", "b2"], "bedrock-api-key"), purpose: "batch" });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    const done = await until(client, created.id, "completed");
    const output = parseLines(await (await client.files.content(done.output_file_id!)).text());
    expect(output.map((l) => [l.custom_id, l.response!.body.choices[0].message.content])).toEqual([
      ["b1", "re: hello b1"],
      ["b2", "re: hello b2"],
    ]);
    expect(received.map((r) => r.url)).toEqual(Array(2).fill("https://bedrock-proxy.test/model/amazon.nova-lite-v1%3A0/converse"));
  });

  it("batch_settings.native auto: Vertex and Bedrock groups run on the gateway (their Batch APIs are not forwarded to)", () => {
    const config = resolveConfig(
      {
        model_list: [
          { model_name: "v", litellm_params: { model: "vertex_ai/gemini-2.0-flash", vertex_project: "p", vertex_location: "us-central1" } },
          { model_name: "b", litellm_params: { model: "bedrock/converse/amazon.nova-lite-v1:0", api_key: "ABSK-0123456789", api_base: "https://bedrock-proxy.test" } },
          { model_name: "g", litellm_params: { model: "openai/gpt-4o-mini", api_key: "sk-x-0123456789" } },
        ],
        general_settings: { master_key: "sk-0123456789abcdef0123456789abcdef", batch_settings: { native: "auto" } },
      },
      {},
    );
    expect(nativeTarget(config, { id: "file-v", models: ["v"] }, "/v1/chat/completions", undefined)).toBeNull();
    expect(nativeTarget(config, { id: "file-b", models: ["b"] }, "/v1/chat/completions", undefined)).toBeNull();
    expect(nativeTarget(config, { id: "file-g", models: ["g"] }, "/v1/chat/completions", undefined)?.dep.provider).toBe("openai");
  });
});
