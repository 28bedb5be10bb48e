import { toFile } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { consumeBatches } from "../../src/batches/consumer";
import { STALE_MS, sweepBatches } from "../../src/batches/sweep";
import type { BatchMessage } from "../../src/batches/messages";
import { env, eventually, gw, newKey, openai } from "../helpers/gateway";
import { fakeUpstream, resetUpstreams } from "../helpers/upstream";
import { chatLine, completion, idOf, jsonl, parseLines } from "./helpers";

afterEach(resetUpstreams);

/** Delivers messages to the batch consumer directly, as the queue would redeliver them after a consumer died. */
async function deliver(messages: BatchMessage[]): Promise<{ acked: number; retried: number }> {
  const out = { acked: 0, retried: 0 };
  const batch = {
    queue: "switchyard-batches",
    messages: messages.map((body, i) => ({ id: `redelivered-${i}`, timestamp: new Date(), body, attempts: 2, ack: () => out.acked++, retry: () => out.retried++ })),
    ackAll() {},
    retryAll() {},
  } as unknown as MessageBatch<BatchMessage>;
  const waits: Promise<unknown>[] = [];
  await consumeBatches(batch, env, { waitUntil: (p) => waits.push(p) });
  await Promise.allSettled(waits);
  return out;
}

const lineMessages = (batchId: string, ids: string[]): BatchMessage[] => ids.map((custom_id) => ({ type: "line", batch_id: batchId, custom_id }));

describe("a batch survives its consumer dying mid-way", () => {
  it("redelivered lines are neither lost nor charged twice; a finished batch ignores every redelivery", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const calls = new Map<string, number>();
    fakeUpstream("https://api.openai.test/v1", async (_r, body) => {
      const id = idOf(body);
      calls.set(id, (calls.get(id) ?? 0) + 1);
      if (id === "slow") await gate;
      return completion(id);
    });
    const ids = ["slow", ...Array.from({ length: 14 }, (_, i) => `line-${i}`)];
    // A budget, so the key's guard keeps a ledger: what its budget counts is checked too.
    const k = await newKey({ max_budget: 10 });
    const client = openai(k.key);
    const file = await client.files.create({ file: await toFile(new TextEncoder().encode(jsonl(ids.map((id) => chatLine(id, "priced")))), "in.jsonl"), purpose: "batch" });
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    // The queue's consumer is inside the `slow` call.
    await eventually(async () => (calls.get("slow") ? true : undefined));

    // It dies there: its lease lapses, and the queue delivers every line again to a new consumer.
    await env.DB.prepare("UPDATE batch_lines SET lease_until = 1 WHERE batch_id = ? AND custom_id = 'slow' AND state = 'running'").bind(batch.id).run();
    const second = deliver(lineMessages(batch.id, ids));
    await eventually(async () => (calls.get("slow") === 2 ? true : undefined));
    release();
    await second;

    const done = await eventually(async () => {
      const b = await client.batches.retrieve(batch.id);
      return b.status === "completed" ? b : undefined;
    }, 10_000);
    expect(done.request_counts).toEqual({ total: 15, completed: 15, failed: 0 });
    // `slow` reached the upstream twice (the dead consumer's call was real); every other line exactly once.
    for (const id of ids) expect(calls.get(id), id).toBe(id === "slow" ? 2 : 1);
    const output = parseLines(await (await client.files.content(done.output_file_id!)).text());
    expect(output.map((l) => l.custom_id)).toEqual(ids);

    // Charged once per line: both runs of `slow` share one request id, so one spend row.
    const rows = await eventually(async () => {
      const { results } = await env.DB.prepare("SELECT custom_id, request_id FROM spend_logs WHERE batch_id = ?").bind(batch.id).all<{ custom_id: string; request_id: string }>();
      return results.length >= 15 ? results : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    const { results: all } = await env.DB.prepare("SELECT custom_id FROM spend_logs WHERE batch_id = ?").bind(batch.id).all<{ custom_id: string }>();
    expect(all.map((r) => r.custom_id).sort()).toEqual([...ids].sort());
    expect(rows.find((r) => r.custom_id === "slow")!.request_id).toBe(`${batch.id}-1-0`);
    const spend = await eventually(async () => {
      const info = (await (await gw(`/key/info?key=${k.token}`)).json()) as { info: { spend: number } };
      return info.info.spend >= 15 * 0.00002 - 1e-12 ? info.info.spend : undefined;
    });
    expect(spend).toBeCloseTo(15 * 0.00002, 12);
    // The budget's ledger (the guard's) counts each line once as well, `slow` included.
    const ledger = await eventually(async () => {
      const info = (await (await gw(`/key/info?key=${k.token}`)).json()) as { info: { current_period_spend: number } };
      return info.info.current_period_spend >= 15 * 0.00002 - 1e-12 ? info.info.current_period_spend : undefined;
    });
    expect(ledger).toBeCloseTo(15 * 0.00002, 12);

    // Every message of the finished batch delivered once more (start, lines, finalize): nothing runs, nothing changes.
    const again = await deliver([{ type: "start", batch_id: batch.id }, ...lineMessages(batch.id, ids), { type: "finalize", batch_id: batch.id }]);
    expect(again).toEqual({ acked: 17, retried: 0 });
    for (const id of ids) expect(calls.get(id), id).toBe(id === "slow" ? 2 : 1);
    const after = await client.batches.retrieve(batch.id);
    expect(after).toMatchObject({ status: "completed", output_file_id: done.output_file_id, request_counts: done.request_counts });
    await new Promise((r) => setTimeout(r, 300));
    const { results: still } = await env.DB.prepare("SELECT COUNT(*) AS n FROM spend_logs WHERE batch_id = ?").bind(batch.id).all<{ n: number }>();
    expect(still[0]!.n).toBe(15);
  });

  it("the cron sweep sends again the messages the queue gave up on: a stuck line runs once and the batch finishes", async () => {
    const calls = new Map<string, number>();
    fakeUpstream("https://api.openai.test/v1", (_r, body) => {
      const id = idOf(body);
      calls.set(id, (calls.get(id) ?? 0) + 1);
      return completion(id);
    });
    const client = openai((await newKey()).key);
    const ids = ["a", "b", "c"];
    const file = await client.files.create({ file: await toFile(new TextEncoder().encode(jsonl(ids.map((id) => chatLine(id, "priced")))), "in.jsonl"), purpose: "batch" });
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    await eventually(async () => ((await client.batches.retrieve(batch.id)).status === "completed" ? true : undefined), 10_000);
    // As if line `b` had never been delivered: pending, its message gone, the batch still in progress.
    await env.DB.prepare("UPDATE batch_lines SET state = 'pending', result = NULL, updated_at = 0 WHERE batch_id = ? AND custom_id = 'b'").bind(batch.id).run();
    await env.DB.prepare("UPDATE batches SET status = 'in_progress', completed_at = NULL, output_file_id = NULL WHERE id = ?").bind(batch.id).run();
    // Nothing is stale yet at an earlier time; now it is.
    expect(await sweepBatches(env, STALE_MS / 2)).toBe(0);
    expect(await sweepBatches(env)).toBe(1);
    const done = await eventually(async () => {
      const b = await client.batches.retrieve(batch.id);
      return b.status === "completed" && b.output_file_id ? b : undefined;
    }, 10_000);
    expect(parseLines(await (await client.files.content(done.output_file_id!)).text()).map((l) => l.custom_id)).toEqual(ids);
    expect(calls.get("b")).toBe(2);
    expect(calls.get("a")).toBe(1);
  });
});
