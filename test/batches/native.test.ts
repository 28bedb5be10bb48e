import type OpenAI from "openai";
import { toFile } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { nativeTarget } from "../../src/batches/native/choose";
import { STALE_MS, sweepBatches } from "../../src/batches/sweep";
import type { Deployment } from "../../src/config/deployment";
import { resolveConfig } from "../../src/config/resolve";
import { priceCall } from "../../src/spend/pricing";
import { env, eventually, gw, newKey, openai } from "../helpers/gateway";
import { received, resetUpstreams } from "../helpers/upstream";
import { chatLine, jsonl, parseLines } from "./helpers";
import { FakeBatchApi } from "./native-fake";

afterEach(resetUpstreams);

const UPSTREAM_KEY = "sk-upstream-secret-openai-0123456789";

/** Uploads a batch input file; with `provider`, as LiteLLM's clients do (`extra_body={"custom_llm_provider": ...}`). */
async function upload(client: OpenAI, ids: string[], model: string, provider?: string) {
  const lines = ids.map((id) => chatLine(id, model));
  const file = await toFile(new TextEncoder().encode(jsonl(lines)), "nightly.jsonl");
  return client.files.create({ file, purpose: "batch", ...(provider ? { custom_llm_provider: provider } : {}) } as OpenAI.Files.FileCreateParams);
}

/** batches.create with LiteLLM's extra field, as `extra_body={"custom_llm_provider": ...}` sends it. */
const createNative = (client: OpenAI, fileId: string, provider: string, extra: Record<string, unknown> = {}) =>
  client.batches.create({ input_file_id: fileId, endpoint: "/v1/chat/completions", completion_window: "24h", custom_llm_provider: provider, ...extra } as OpenAI.Batches.BatchCreateParams);

async function until(client: OpenAI, id: string, status: string, ms = 15_000) {
  return eventually(async () => {
    const b = await client.batches.retrieve(id);
    return b.status === status ? b : undefined;
  }, ms);
}

async function spendRows(batchId: string, n: number) {
  return eventually(async () => {
    const { results } = await env.DB.prepare(
      "SELECT request_id, response_id, custom_id, model, model_group, provider, spend, prompt_tokens, status FROM spend_logs WHERE batch_id = ? ORDER BY request_id",
    )
      .bind(batchId)
      .all<{ request_id: string; response_id: string; custom_id: string; model: string; model_group: string; provider: string; spend: number; prompt_tokens: number; status: string }>();
    return results.length === n ? results : undefined;
  }, 10_000);
}

describe("native batches (OpenAI and Azure Batch APIs)", () => {
  it("OpenAI: the file goes up with the upstream model, the batch is polled to completed, results and spend at the batch rate come back", async () => {
    const fake = new FakeBatchApi("https://batch.openai.test/v1");
    const k = await newKey();
    const client = openai(k.key);
    const file = await upload(client, ["a", "bad-b", "c"], "native-gpt", "openai");
    const created = await createNative(client, file.id, "openai", { metadata: { job: "nightly" } });
    expect(created).toMatchObject({ object: "batch", status: "validating", input_file_id: file.id, endpoint: "/v1/chat/completions", metadata: { job: "nightly" } });
    expect(created.id).toMatch(/^batch_[0-9a-f]+$/);
    expect(created.request_counts).toEqual({ total: 3, completed: 0, failed: 0 });

    // The upstream got the input file with each line's model rewritten, the custom_ids untouched, and the deployment's key.
    expect(fake.uploads).toHaveLength(1);
    expect(fake.uploads[0]).toMatchObject({ purpose: "batch", filename: "nightly.jsonl" });
    const sent = parseLines(fake.uploads[0]!.content) as unknown as Array<{ custom_id: string; url: string; body: { model: string; messages: unknown[] } }>;
    expect(sent.map((l) => [l.custom_id, l.url, l.body.model])).toEqual([
      ["a", "/v1/chat/completions", "gpt-4o-mini-batch-test"],
      ["bad-b", "/v1/chat/completions", "gpt-4o-mini-batch-test"],
      ["c", "/v1/chat/completions", "gpt-4o-mini-batch-test"],
    ]);
    const calls = received.filter((r) => r.url.startsWith("https://batch.openai.test/"));
    expect(calls.map((r) => `${r.method} ${r.url}`)).toEqual(["POST https://batch.openai.test/v1/files", "POST https://batch.openai.test/v1/batches"]);
    for (const r of calls) expect(r.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(calls[1]!.json()).toEqual({ input_file_id: "file-up-1", endpoint: "/v1/chat/completions", completion_window: "24h", metadata: { job: "nightly" } });

    // Statuses progress as the polls mirror the upstream's.
    const running = await until(client, created.id, "in_progress");
    expect(running.in_progress_at).toBeGreaterThanOrEqual(running.created_at);
    const done = await until(client, created.id, "completed");
    expect(done.request_counts).toEqual({ total: 3, completed: 2, failed: 1 });
    expect(done.usage).toMatchObject({ input_tokens: 20, output_tokens: 10, total_tokens: 30 });
    // Half the live price (10 * 0.000002 + 5 * 0.000004 = 0.00004 a line).
    expect((done as unknown as { cost: number }).cost).toBeCloseTo(2 * 0.00002, 12);

    const output = parseLines(await (await client.files.content(done.output_file_id!)).text());
    expect(output.map((l) => [l.custom_id, l.response!.body.choices[0].message.content])).toEqual([
      ["a", "answer a"],
      ["c", "answer c"],
    ]);
    const errors = parseLines(await (await client.files.content(done.error_file_id!)).text());
    expect(errors.map((l) => [l.custom_id, l.response!.status_code])).toEqual([["bad-b", 400]]);
    expect(await client.files.retrieve(done.output_file_id!)).toMatchObject({ purpose: "batch_output", filename: `${created.id}_output.jsonl` });
    await expect(openai((await newKey()).key).files.content(done.output_file_id!)).rejects.toMatchObject({ status: 404 });

    // One spend row per answered line, at the batch rate, with batch_id and custom_id; the key's spend counts them.
    const rows = await spendRows(created.id, 2);
    expect(rows.map((r) => [r.custom_id, r.response_id, r.model, r.model_group, r.provider, r.status, r.prompt_tokens])).toEqual([
      ["a", "chatcmpl-up-a", "gpt-4o-mini-batch-test", "native-gpt", "openai", "success", 10],
      ["c", "chatcmpl-up-c", "gpt-4o-mini-batch-test", "native-gpt", "openai", "success", 10],
    ]);
    for (const r of rows) expect(r.spend).toBeCloseTo(0.00002, 12);
    const keySpend = await eventually(async () => {
      const info = (await (await gw(`/key/info?key=${k.token}`)).json()) as { info: { spend: number } };
      return info.info.spend > 0 ? info.info.spend : undefined;
    });
    expect(keySpend).toBeCloseTo(0.00004, 12);
    // Nothing ran through the gateway's own line runner.
    const lines = await env.DB.prepare("SELECT COUNT(*) AS n FROM batch_lines WHERE batch_id = ?").bind(created.id).first<{ n: number }>();
    expect(lines?.n).toBe(0);
  });

  it("Azure: files and batches on the resource's /openai paths with api-version and api-key; lines carry the deployment name", async () => {
    const fake = new FakeBatchApi("https://batchres.openai.azure.test/openai");
    const client = openai((await newKey()).key);
    const file = await upload(client, ["x", "y"], "native-azure");
    const created = await createNative(client, file.id, "azure");
    const sent = parseLines(fake.uploads[0]!.content) as unknown as Array<{ url: string; body: { model: string } }>;
    expect(sent.map((l) => [l.url, l.body.model])).toEqual([
      ["/chat/completions", "my-batch-deployment"],
      ["/chat/completions", "my-batch-deployment"],
    ]);
    const done = await until(client, created.id, "completed");
    expect(done.request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
    const calls = received.filter((r) => r.url.includes("batchres.openai.azure.test"));
    const v = "api-version=2025-04-01-preview";
    expect(calls.slice(0, 2).map((r) => `${r.method} ${r.url}`)).toEqual([`POST https://batchres.openai.azure.test/openai/files?${v}`, `POST https://batchres.openai.azure.test/openai/batches?${v}`]);
    expect(calls.map((r) => r.url)).toContain(`https://batchres.openai.azure.test/openai/batches/batch_up_2?${v}`);
    expect(calls.map((r) => r.url)).toContain(`https://batchres.openai.azure.test/openai/files/file-out-3/content?${v}`);
    for (const r of calls) {
      expect(r.headers["api-key"]).toBe("azure-batch-key-0123456789");
      expect(r.headers.authorization).toBeUndefined();
    }
    expect(calls[1]!.json()).toMatchObject({ endpoint: "/chat/completions" });
    // Priced from the price table (model_info.base_model gpt-4o-mini), at half the live price.
    const live = priceCall({ provider: "azure", model: "my-batch-deployment", baseModel: "gpt-4o-mini", costs: {} } as unknown as Deployment, {
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
    });
    expect(live).toBeGreaterThan(0);
    const rows = await spendRows(created.id, 2);
    for (const r of rows) expect(r.spend).toBeCloseTo(live! / 2, 14);
  });

  it("an upstream batch that fails ends failed here with its errors, no files and no spend", async () => {
    const fake = new FakeBatchApi("https://batch.openai.test/v1");
    fake.fail = true;
    const client = openai((await newKey()).key);
    const file = await upload(client, ["a"], "native-gpt");
    const created = await createNative(client, file.id, "openai");
    const failed = await until(client, created.id, "failed");
    expect(failed.errors?.data).toEqual([{ code: "invalid_json_line", message: "This line is not parseable as valid JSON.", line: 2, param: null }]);
    expect(failed.failed_at).toBeGreaterThanOrEqual(failed.created_at);
    expect(failed.output_file_id).toBeNull();
    expect(failed.error_file_id).toBeNull();
    const { results } = await env.DB.prepare("SELECT 1 FROM spend_logs WHERE batch_id = ?").bind(created.id).all();
    expect(results).toEqual([]);
  });

  it("an upstream that no longer knows the batch fails it, saying so", async () => {
    const fake = new FakeBatchApi("https://batch.openai.test/v1");
    const client = openai((await newKey()).key);
    const file = await upload(client, ["a"], "native-gpt");
    const created = await createNative(client, file.id, "openai");
    fake.batches.clear();
    const failed = await until(client, created.id, "failed");
    expect(failed.errors?.data).toEqual([
      { code: "upstream_batch_not_found", message: "The upstream batch 'batch_up_2' no longer exists: The upstream batch API refused the batch status: No such batch", param: null, line: null },
    ]);
  });

  it("cancel is forwarded upstream; the batch ends cancelled with what the upstream answered", async () => {
    new FakeBatchApi("https://batch.openai.test/v1");
    const k = await newKey();
    const client = openai(k.key);
    const file = await upload(client, ["a", "b", "c"], "native-gpt");
    const created = await createNative(client, file.id, "openai");
    const cancelling = await client.batches.cancel(created.id);
    expect(cancelling.status).toBe("cancelling");
    expect(received.some((r) => r.method === "POST" && r.url.endsWith("/batches/batch_up_2/cancel"))).toBe(true);
    const cancelled = await until(client, created.id, "cancelled");
    expect(cancelled.request_counts).toEqual({ total: 3, completed: 1, failed: 0 });
    const output = parseLines(await (await client.files.content(cancelled.output_file_id!)).text());
    expect(output.map((l) => l.custom_id)).toEqual(["a"]);
    await spendRows(created.id, 1);
    // Cancelling again answers the batch as it is, without asking the upstream again.
    const asked = received.length;
    const again = await gw(`/v1/batches/${created.id}/cancel`, { method: "POST", key: k.key });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { status: string }).status).toBe("cancelled");
    expect(received.length).toBe(asked);
  });

  it("refusals: the upstream's error in OpenAI's shape (nothing stored), a provider or group that cannot go native, a key over budget", async () => {
    const fake = new FakeBatchApi("https://batch.openai.test/v1");
    fake.refuseCreate = {
      status: 400,
      body: { error: { message: `Enqueued token limit reached for gpt-4o-mini (key ${UPSTREAM_KEY}).`, type: "invalid_request_error", param: null, code: "token_limit_exceeded" } },
    };
    const k = await newKey();
    const client = openai(k.key);
    const file = await upload(client, ["a"], "native-gpt");
    const res = await gw("/v1/batches", {
      method: "POST",
      key: k.key,
      body: JSON.stringify({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h", custom_llm_provider: "openai" }),
    });
    expect(res.status).toBe(400);
    const err = ((await res.json()) as { error: { message: string; type: string; code: string } }).error;
    expect(err.type).toBe("invalid_request_error");
    expect(err.code).toBe("token_limit_exceeded");
    expect(err.message).toContain("Enqueued token limit reached");
    expect(err.message).not.toContain(UPSTREAM_KEY);
    expect((await client.batches.list()).data).toEqual([]);
    // A refused upload: the upstream's status and message.
    fake.refuseUpload = { status: 413, body: { error: { message: "File is too large.", type: "invalid_request_error", param: "file", code: null } } };
    await expect(createNative(client, file.id, "openai")).rejects.toMatchObject({ status: 413, param: "file", message: expect.stringContaining("the input file upload: File is too large.") });
    expect((await client.batches.list()).data).toEqual([]);

    await expect(createNative(client, file.id, "anthropic")).rejects.toMatchObject({ status: 400, param: "custom_llm_provider" });
    await expect(upload(client, ["a"], "native-gpt", "anthropic")).rejects.toMatchObject({ status: 400, param: "custom_llm_provider" });
    const groq = await upload(client, ["g"], "groq-llama");
    await expect(createNative(client, groq.id, "openai")).rejects.toMatchObject({ status: 400, param: "custom_llm_provider" });
    const azureGroup = await upload(client, ["z"], "native-azure");
    await expect(createNative(client, azureGroup.id, "openai")).rejects.toMatchObject({ status: 400, param: "custom_llm_provider" });

    // A key over its budget is refused before anything is sent upstream.
    received.length = 0;
    const broke = await newKey({ max_budget: 0 });
    const brokeClient = openai(broke.key);
    const brokeFile = await upload(brokeClient, ["a"], "native-gpt");
    await expect(createNative(brokeClient, brokeFile.id, "openai")).rejects.toMatchObject({ status: 400, code: "budget_exceeded" });
    expect(received.filter((r) => r.url.startsWith("https://batch.openai.test/"))).toEqual([]);
  });

  it("the cron sweep sends a native batch's poll again when it stopped, and never a gateway-run start", async () => {
    new FakeBatchApi("https://batch.openai.test/v1");
    const client = openai((await newKey()).key);
    const file = await upload(client, ["a"], "native-gpt");
    const created = await createNative(client, file.id, "openai");
    await until(client, created.id, "completed");
    // As if its poll had been lost while it was still validating, an hour ago: the sweep polls it (no start message).
    await env.DB.prepare("UPDATE batches SET status = 'validating', created_at = 0, completed_at = NULL, output_file_id = NULL, native = json_set(native, '$.polledAt', 0) WHERE id = ?")
      .bind(created.id)
      .run();
    expect(await sweepBatches(env, STALE_MS / 2)).toBe(0);
    expect(await sweepBatches(env)).toBe(1);
    const done = await until(client, created.id, "completed");
    expect(parseLines(await (await client.files.content(done.output_file_id!)).text()).map((l) => l.custom_id)).toEqual(["a"]);
    const lines = await env.DB.prepare("SELECT COUNT(*) AS n FROM batch_lines WHERE batch_id = ?").bind(created.id).first<{ n: number }>();
    expect(lines?.n).toBe(0);
    // The repeated ending wrote no second spend row (one per request id).
    expect((await spendRows(created.id, 1)).map((r) => r.request_id)).toEqual([`${created.id}-1`]);
  });

  it("batch_settings.native: off refuses custom_llm_provider; auto forwards every batch that can go native and runs the rest", () => {
    const config = (native: string) =>
      resolveConfig(
        {
          model_list: [
            { model_name: "g", litellm_params: { model: "openai/gpt-4o-mini", api_key: "sk-x-0123456789" } },
            { model_name: "c", litellm_params: { model: "anthropic/claude-3-5-haiku", api_key: "sk-x-0123456789" } },
          ],
          general_settings: { master_key: "sk-0123456789abcdef0123456789abcdef", batch_settings: { native } },
        },
        {},
      );
    const file = (model: string) => ({ id: "file-1", models: [model] });
    expect(() => nativeTarget(config("off"), file("g"), "/v1/chat/completions", "openai")).toThrow(/native batch forwarding is off/i);
    expect(nativeTarget(config("off"), file("g"), "/v1/chat/completions", undefined)).toBeNull();
    expect(nativeTarget(config("on_request"), file("g"), "/v1/chat/completions", undefined)).toBeNull();
    expect(nativeTarget(config("auto"), file("g"), "/v1/chat/completions", undefined)?.dep.model).toBe("gpt-4o-mini");
    expect(nativeTarget(config("auto"), file("c"), "/v1/chat/completions", undefined)).toBeNull();
    expect(nativeTarget(config("auto"), { id: "file-2", models: ["g", "c"] }, "/v1/chat/completions", undefined)).toBeNull();
    expect(() => nativeTarget(config("auto"), file("c"), "/v1/chat/completions", "openai")).toThrow(/every deployment of 'c' must be openai/);
  });
});
