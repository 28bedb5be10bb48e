import { toFile } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { env, eventually, gw, newKey, openai } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { chatLine, completion, idOf, jsonl, parseLines } from "./helpers";

afterEach(resetUpstreams);

describe("gateway-run batches", () => {
  it("a 200-line batch through the official client: transient failures retried, permanent ones in the error file, spend per line", async () => {
    // Every line's call to `priced` (OpenAI-style, priced per token): `flaky-*` fail once with a 503, `perm-*` always with a 400.
    const calls = new Map<string, number>();
    fakeUpstream("https://api.openai.test/v1", (_req, body) => {
      const id = idOf(body);
      const n = (calls.get(id) ?? 0) + 1;
      calls.set(id, n);
      if (id.startsWith("perm-")) return json({ error: { message: `the model refuses ${id}`, type: "invalid_request_error", code: null } }, 400);
      if (id.startsWith("flaky-") && n === 1) return json({ error: { message: "overloaded", type: "server_error" } }, 503);
      return completion(`answer ${id}`);
    });
    // 20 flaky lines (a group's only deployment does not rest for 5xx, so the others keep running meanwhile), 10 that fail for good.
    const ids = Array.from({ length: 200 }, (_, i) => (i % 10 === 3 ? `flaky-${i}` : i % 20 === 7 ? `perm-${i}` : `ok-${i}`));
    // num_retries 0: the router does not retry within a run, so the batch's own retry (retry_delay_seconds) is what recovers.
    const lines = ids.map((id) => chatLine(id, "priced", { num_retries: 0 }));
    const k = await newKey();
    const client = openai(k.key);
    const file = await client.files.create({ file: await toFile(new TextEncoder().encode(jsonl(lines)), "nightly.jsonl"), purpose: "batch" });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h", metadata: { job: "nightly" } });
    expect(created).toMatchObject({ object: "batch", status: "validating", input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h", metadata: { job: "nightly" } });
    expect(created.request_counts).toEqual({ total: 200, completed: 0, failed: 0 });
    expect(created.id).toMatch(/^batch_/);

    const done = await eventually(async () => {
      const b = await client.batches.retrieve(created.id);
      return b.status === "completed" ? b : undefined;
    }, 18_000);
    expect(done.request_counts).toEqual({ total: 200, completed: 190, failed: 10 });
    expect(done.in_progress_at).toBeGreaterThanOrEqual(done.created_at);
    expect(done.completed_at).toBeGreaterThanOrEqual(done.finalizing_at!);
    expect(done.usage).toMatchObject({ input_tokens: 1900, output_tokens: 950, total_tokens: 2850 });
    // 190 answers at 10 * 0.000001 + 5 * 0.000002 each.
    expect((done as unknown as { cost: number }).cost).toBeCloseTo(190 * 0.00002, 10);

    // Every line ran until it had its answer or its permanent error, and no more.
    for (const id of ids) expect(calls.get(id), id).toBe(id.startsWith("flaky-") ? 2 : 1);

    const output = parseLines(await (await client.files.content(done.output_file_id!)).text());
    expect(output.map((l) => l.custom_id)).toEqual(ids.filter((id) => !id.startsWith("perm-")));
    for (const l of output) {
      expect(l.id).toMatch(/^batch_req_/);
      expect(l.error).toBeNull();
      expect(l.response!.status_code).toBe(200);
      expect(l.response!.request_id).toMatch(new RegExp(`^${created.id}-\\d+-\\d$`));
      expect(l.response!.body).toMatchObject({ object: "chat.completion", choices: [{ message: { content: `answer ${l.custom_id}` } }], usage: { prompt_tokens: 10 } });
    }
    const errors = parseLines(await (await client.files.content(done.error_file_id!)).text());
    expect(errors.map((l) => l.custom_id)).toEqual(ids.filter((id) => id.startsWith("perm-")));
    for (const l of errors) {
      expect(l.error).toBeNull();
      expect(l.response!.status_code).toBe(400);
      expect(l.response!.body.error.message).toContain(`the model refuses ${l.custom_id}`);
    }
    // The result files are the key's own files.
    const outFile = await client.files.retrieve(done.output_file_id!);
    expect(outFile).toMatchObject({ purpose: "batch_output", filename: `${created.id}_output.jsonl` });
    await expect(openai((await newKey()).key).files.content(done.output_file_id!)).rejects.toMatchObject({ status: 404 });
    await expect(openai((await newKey()).key).batches.retrieve(created.id)).rejects.toMatchObject({ status: 404 });

    // Spend: one success row per answered line carrying batch_id and custom_id, and the failed runs as failures at $0.
    const rows = await eventually(async () => {
      const { results } = await env.DB.prepare("SELECT request_id, custom_id, status, spend FROM spend_logs WHERE batch_id = ?")
        .bind(created.id)
        .all<{ request_id: string; custom_id: string; status: string; spend: number }>();
      return results.length === 220 ? results : undefined;
    }, 10_000);
    const ok = rows.filter((r) => r.status === "success");
    expect(ok.map((r) => r.custom_id).sort()).toEqual(ids.filter((id) => !id.startsWith("perm-")).sort());
    expect(rows.filter((r) => r.status === "failure").length).toBe(30);
    expect(rows.filter((r) => r.status === "failure").every((r) => r.spend === 0)).toBe(true);
    const keySpend = await eventually(async () => {
      const info = (await (await gw(`/key/info?key=${k.token}`)).json()) as { info: { spend: number } };
      return info.info.spend > 0.0037 ? info.info.spend : undefined;
    });
    expect(keySpend).toBeCloseTo(190 * 0.00002, 10);
    const logs = (await (await gw(`/spend/logs?api_key=${k.token}&page_size=1`)).json()) as Array<Record<string, unknown>>;
    expect(logs[0]).toMatchObject({ batch_id: created.id });

    const listed = await client.batches.list();
    expect(listed.data.map((b) => b.id)).toEqual([created.id]);
    expect(received.length).toBe(220);
  });

  it("an embeddings batch runs through the embeddings call builder; its endpoint must match the file's lines", async () => {
    fakeUpstream("https://api.openai.test/v1/embeddings", () =>
      json({ object: "list", data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2] }], model: "m", usage: { prompt_tokens: 3, total_tokens: 3 } }),
    );
    const k = await newKey();
    const client = openai(k.key);
    const lines = ["a", "b"].map((id) => ({ custom_id: id, method: "POST", url: "/v1/embeddings", body: { model: "gpt-4o-mini", input: `text ${id}` } }));
    const file = await client.files.create({ file: await toFile(new TextEncoder().encode(jsonl(lines)), "emb.jsonl"), purpose: "batch" });
    await expect(client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" })).rejects.toMatchObject({ status: 400 });
    const b = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/embeddings", completion_window: "24h" });
    const done = await eventually(async () => {
      const r = await client.batches.retrieve(b.id);
      return r.status === "completed" ? r : undefined;
    }, 10_000);
    const out = parseLines(await (await client.files.content(done.output_file_id!)).text());
    expect(out.map((l) => [l.custom_id, l.response!.body.data[0].embedding])).toEqual([
      ["a", [0.1, 0.2]],
      ["b", [0.1, 0.2]],
    ]);
    expect(received.map((r) => r.json<{ input: string }>().input).sort()).toEqual(["text a", "text b"]);
    expect(done.error_file_id).toBeNull();
  });

  it("an answer too large for a D1 row is kept in R2 and still lands in the output file", async () => {
    const vector = Array.from({ length: 60_000 }, (_, i) => i / 7);
    fakeUpstream("https://api.openai.test/v1/embeddings", () =>
      json({ object: "list", data: [{ object: "embedding", index: 0, embedding: vector }], model: "m", usage: { prompt_tokens: 3, total_tokens: 3 } }),
    );
    const client = openai((await newKey()).key);
    const lines = [{ custom_id: "big", method: "POST", url: "/v1/embeddings", body: { model: "gpt-4o-mini", input: "x" } }];
    const file = await client.files.create({ file: await toFile(new TextEncoder().encode(jsonl(lines)), "big.jsonl"), purpose: "batch" });
    const b = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/embeddings", completion_window: "24h" });
    const done = await eventually(async () => {
      const r = await client.batches.retrieve(b.id);
      return r.status === "completed" ? r : undefined;
    }, 10_000);
    const row = await env.DB.prepare("SELECT result FROM batch_lines WHERE batch_id = ?").bind(b.id).first<{ result: string }>();
    expect(row?.result).toBe(`r2:batches/${b.id}/results/1`);
    const out = parseLines(await (await client.files.content(done.output_file_id!)).text());
    expect(out).toHaveLength(1);
    expect(out[0]!.response!.body.data[0].embedding).toEqual(vector);
  });

  it("a batch whose input file cannot be read when it starts ends failed, as OpenAI's does", async () => {
    const client = openai((await newKey()).key);
    const gone = await client.files.create({ file: await toFile(new TextEncoder().encode(jsonl([chatLine("a")])), "gone.jsonl"), purpose: "batch" });
    const broken = await client.files.create({ file: await toFile(new TextEncoder().encode(jsonl([chatLine("b")])), "broken.jsonl"), purpose: "batch" });
    // The stored bytes lost or damaged after the upload was checked.
    await env.FILES_BUCKET!.delete(`files/${gone.id}`);
    await env.FILES_BUCKET!.put(`files/${broken.id}`, "{not json\n");
    const failedOf = async (fileId: string) => {
      const b = await client.batches.create({ input_file_id: fileId, endpoint: "/v1/chat/completions", completion_window: "24h" });
      return eventually(async () => {
        const r = await client.batches.retrieve(b.id);
        return r.status === "failed" ? r : undefined;
      }, 10_000);
    };
    const a = await failedOf(gone.id);
    expect(a.errors?.data).toEqual([{ code: "file_not_found", message: `The input file '${gone.id}' no longer exists.`, param: "input_file_id", line: null }]);
    expect(a.failed_at).toBeGreaterThanOrEqual(a.created_at);
    const b = await failedOf(broken.id);
    expect(b.errors?.data).toEqual([{ code: "invalid_request", message: "Line 1 of the input file is not a batch request.", param: null, line: 1 }]);
    for (const r of [a, b]) {
      expect(r.output_file_id).toBeNull();
      expect(r.error_file_id).toBeNull();
      expect(r.request_counts).toEqual({ total: 1, completed: 0, failed: 0 });
    }
    expect(received).toEqual([]);
  });

  it("bad batch requests get clear 400s and 404s", async () => {
    const k = await newKey();
    const client = openai(k.key);
    const notes = await client.files.create({ file: await toFile(new TextEncoder().encode("x"), "n.txt"), purpose: "user_data" });
    const input = await client.files.create({ file: await toFile(new TextEncoder().encode(jsonl([chatLine("a")])), "in.jsonl"), purpose: "batch" });
    const cases: Array<[Record<string, unknown>, number, string | null]> = [
      [{ input_file_id: input.id, endpoint: "/v1/chat/completions", completion_window: "1h" }, 400, "completion_window"],
      [{ input_file_id: input.id, endpoint: "/v1/moderations", completion_window: "24h" }, 400, "endpoint"],
      [{ input_file_id: notes.id, endpoint: "/v1/chat/completions", completion_window: "24h" }, 400, "input_file_id"],
      [{ input_file_id: "file-nope", endpoint: "/v1/chat/completions", completion_window: "24h" }, 404, "id"],
      [{ input_file_id: input.id, endpoint: "/v1/chat/completions", completion_window: "24h", priority: "high" }, 400, null],
      [{ input_file_id: input.id, endpoint: "/v1/chat/completions", completion_window: "24h", metadata: { k: "v".repeat(600) } }, 400, "metadata.k"],
    ];
    for (const [body, status, param] of cases) {
      const res = await gw("/v1/batches", { method: "POST", key: k.key, body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(status);
      const err = ((await res.json()) as { error: { param: string | null; type: string } }).error;
      if (param) expect(err.param).toBe(param);
    }
    // Another key's file is not there for this key.
    const other = openai((await newKey()).key);
    await expect(other.batches.create({ input_file_id: input.id, endpoint: "/v1/chat/completions", completion_window: "24h" })).rejects.toMatchObject({ status: 404 });
    expect((await gw("/v1/batches/batch_nope", { key: k.key })).status).toBe(404);
    expect((await gw("/v1/batches/batch_nope/cancel", { method: "POST", key: k.key })).status).toBe(404);
    expect((await client.batches.list()).data).toEqual([]);
  });
});
