import { toFile } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { env, eventually, gw, newKey, openai, post } from "../helpers/gateway";
import { fakeUpstream, received, resetUpstreams } from "../helpers/upstream";
import { chatLine, completion, idOf, jsonl, parseLines } from "./helpers";

afterEach(resetUpstreams);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startBatch(key: string, n: number) {
  const client = openai(key);
  const lines = Array.from({ length: n }, (_, i) => chatLine(`line-${i}`, "priced"));
  const file = await client.files.create({ file: await toFile(new TextEncoder().encode(jsonl(lines)), "in.jsonl"), purpose: "batch" });
  const batch = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
  return { client, batch };
}

const statusOf = async (client: ReturnType<typeof openai>, id: string, want: string) =>
  eventually(async () => {
    const b = await client.batches.retrieve(id);
    return b.status === want ? b : undefined;
  }, 10_000);

describe("batches within the key's limits", () => {
  it("never pushes the key past its rpm: refused lines wait and come back; cancelling stops them", async () => {
    const times: number[] = [];
    fakeUpstream("https://api.openai.test/v1", (_r, body) => {
      times.push(Date.now());
      return completion(idOf(body));
    });
    const k = await newKey({ rpm_limit: 5 });
    const { client, batch } = await startBatch(k.key, 12);
    await eventually(async () => (times.length >= 5 ? true : undefined));
    // Several pacing rounds (pace_delay_seconds: 1) pass: the lines keep coming back and are refused again, none runs and none fails.
    await sleep(2500);
    expect(times.length).toBe(5);
    const running = await client.batches.retrieve(batch.id);
    expect(running.status).toBe("in_progress");
    expect(running.request_counts).toEqual({ total: 12, completed: 5, failed: 0 });
    const waiting = await env.DB.prepare("SELECT COUNT(*) AS n FROM batch_lines WHERE batch_id = ? AND state = 'pending'").bind(batch.id).first<{ n: number }>();
    expect(waiting?.n).toBe(7);

    const cancelling = await client.batches.cancel(batch.id);
    expect(cancelling.status).toBe("cancelling");
    expect(cancelling.cancelling_at).toBeGreaterThan(0);
    const cancelled = await statusOf(client, batch.id, "cancelled");
    expect(cancelled.request_counts).toEqual({ total: 12, completed: 5, failed: 0 });
    expect(cancelled.cancelled_at).toBeGreaterThanOrEqual(cancelled.cancelling_at!);
    expect(times.length).toBe(5);
    const output = parseLines(await (await client.files.content(cancelled.output_file_id!)).text());
    // The answered lines, in the input file's order.
    const answered = output.map((l) => Number(l.custom_id.replace("line-", "")));
    expect(answered).toHaveLength(5);
    expect(answered).toEqual([...answered].sort((a, b) => a - b));
    const errors = parseLines(await (await client.files.content(cancelled.error_file_id!)).text());
    expect(errors).toHaveLength(7);
    for (const l of errors) expect(l).toMatchObject({ response: null, error: { code: "batch_cancelled" } });
    expect(new Set([...output, ...errors].map((l) => l.custom_id)).size).toBe(12);
    // A cancelled batch stays cancelled.
    expect((await client.batches.cancel(batch.id)).status).toBe("cancelled");
    const spend = await eventually(async () => {
      const r = await env.DB.prepare("SELECT COUNT(*) AS n FROM spend_logs WHERE batch_id = ?").bind(batch.id).first<{ n: number }>();
      return r?.n === 5 ? r.n : undefined;
    });
    expect(spend).toBe(5);
  });

  it("lines still waiting when the completion window ends expire; the batch ends expired", async () => {
    const k = await newKey({ rpm_limit: 2 });
    fakeUpstream("https://api.openai.test/v1", (_r, body) => completion(idOf(body)));
    const { client, batch } = await startBatch(k.key, 5);
    await eventually(async () => (received.length >= 2 ? true : undefined));
    // The window (completion_window_seconds, 24h by default) ends now.
    await env.DB.prepare("UPDATE batches SET expires_at = ? WHERE id = ?").bind(Date.now(), batch.id).run();
    const expired = await statusOf(client, batch.id, "expired");
    expect(expired.request_counts).toEqual({ total: 5, completed: 2, failed: 3 });
    expect(expired.expired_at).toBeGreaterThan(0);
    expect(parseLines(await (await client.files.content(expired.output_file_id!)).text())).toHaveLength(2);
    const errors = parseLines(await (await client.files.content(expired.error_file_id!)).text());
    expect(errors).toHaveLength(3);
    for (const l of errors) expect(l).toMatchObject({ response: null, error: { code: "batch_expired", message: "This request could not be executed before the completion window expired." } });
    expect(received.length).toBe(2);
  });

  it("a key blocked (or deleted) while its batch runs stops it: the lines left fail with 401", async () => {
    fakeUpstream("https://api.openai.test/v1", (_r, body) => completion(idOf(body)));
    for (const stop of ["block", "delete"] as const) {
      received.length = 0;
      const k = await newKey({ rpm_limit: 2 });
      const { batch } = await startBatch(k.key, 4);
      await eventually(async () => (received.length >= 2 ? true : undefined));
      if (stop === "block") expect((await post("/key/block", { key: k.key })).status).toBe(200);
      else expect((await post("/key/delete", { keys: [k.key] })).status).toBe(200);
      const done = await eventually(async () => {
        const r = (await (await gw(`/v1/batches/${batch.id}`)).json()) as { status: string; request_counts: unknown; error_file_id: string };
        return r.status === "completed" ? r : undefined;
      }, 10_000);
      expect(done.request_counts, stop).toEqual({ total: 4, completed: 2, failed: 2 });
      const errors = parseLines(await (await gw(`/v1/files/${done.error_file_id}/content`)).text());
      for (const l of errors) expect(l.response).toMatchObject({ status_code: 401, body: { error: { code: "invalid_api_key" } } });
      expect(received.length).toBe(2);
    }
  });
});

describe("batches within the key's budget", () => {
  it("each line reserves against the budget as a live call does; once it is spent the lines left fail with budget_exceeded", async () => {
    fakeUpstream("https://api.openai.test/v1", (_r, body) => completion(idOf(body)));
    // Each answer costs $0.00002 (10 prompt + 5 completion tokens at the `priced` rates); the budget holds 25 of them.
    const k = await newKey({ max_budget: 0.0005 });
    const client = openai(k.key);
    const lines = Array.from({ length: 40 }, (_, i) => chatLine(`line-${i}`, "priced", { max_tokens: 10 }));
    const file = await client.files.create({ file: await toFile(new TextEncoder().encode(jsonl(lines)), "in.jsonl"), purpose: "batch" });
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    const done = await statusOf(client, batch.id, "completed");
    const { completed, failed } = done.request_counts!;
    expect(completed + failed).toBe(40);
    expect(completed).toBeGreaterThan(15);
    expect(completed).toBeLessThanOrEqual(25);
    expect(received.length).toBe(completed);
    const errors = parseLines(await (await client.files.content(done.error_file_id!)).text());
    expect(errors).toHaveLength(failed);
    for (const l of errors) expect(l.response).toMatchObject({ status_code: 400, body: { error: { code: "budget_exceeded" } } });
    expect((done as unknown as { cost: number }).cost).toBeCloseTo(completed * 0.00002, 10);
    const spend = await eventually(async () => {
      const info = (await (await gw(`/key/info?key=${k.token}`)).json()) as { info: { spend: number } };
      return info.info.spend >= completed * 0.00002 - 1e-12 ? info.info.spend : undefined;
    });
    expect(spend).toBeLessThanOrEqual(0.0005 + 1e-12);
  });
});
