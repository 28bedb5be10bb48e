import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { SpendEvent, SpendMessage } from "../../src/spend/event";
import { env, gw, newKey, post } from "../helpers/gateway";

const event = (id: string, key: string, extra: Partial<SpendEvent> = {}): SpendEvent => ({
  request_id: id,
  api_key: key,
  model: "m",
  model_group: "g",
  provider: "openai",
  deployment: "d",
  prompt_tokens: 1,
  completion_tokens: 1,
  spend: 0.25,
  status: "success",
  start_time: Date.now(),
  end_time: Date.now(),
  metadata: {},
  ...extra,
});

async function deliver(events: unknown[], attempts: number) {
  const batch = createMessageBatch<SpendMessage>("switchyard-spend", [{ id: `m-${attempts}-${Math.random()}`, timestamp: Date.now(), attempts, body: { events } as SpendMessage }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe("spend dead letters", () => {
  it("a failing batch is retried; after 5 attempts the good events land and the bad one is parked; nothing counts twice", async () => {
    const k = await newKey();
    const good1 = event(`dl-good-1-${k.token}`, k.token);
    const good2 = event(`dl-good-2-${k.token}`, k.token);
    const poison = event(`dl-poison-${k.token}`, k.token, { prompt_tokens: null as unknown as number });
    const first = await deliver([good1, poison, good2], 1);
    expect(first.retryBatch.retry).toBe(true);
    expect(first.ackAll).toBe(false);
    const last = await deliver([good1, poison, good2], 5);
    expect(last.ackAll).toBe(true);
    // Delivered again (a redelivery after the ack was lost): still counted once.
    await deliver([good1, poison, good2], 5);
    const info = await (await gw(`/key/info?key=${k.token}`)).json();
    expect(info.info.spend).toBe(0.5);
    const parked = await (await gw("/spend/dead_letters")).json();
    expect(parked).toEqual([expect.objectContaining({ request_id: poison.request_id, attempts: 5, event: expect.objectContaining({ request_id: poison.request_id }) })]);
  });

  it("replays parked events through the idempotent write; what lands leaves the table", async () => {
    const k = await newKey();
    const e = event(`dl-replay-${k.token}`, k.token);
    await env.DB.prepare("INSERT INTO spend_dead_letters (request_id, event, error, attempts, created_at) VALUES (?, ?, 'D1 was down', 5, ?)").bind(e.request_id, JSON.stringify(e), Date.now()).run();
    const res = await post("/spend/dead_letters/replay", {});
    expect(await res.json()).toMatchObject({ replayed: 1 });
    expect((await (await gw(`/key/info?key=${k.token}`)).json()).info.spend).toBe(0.25);
    const left = await (await gw("/spend/dead_letters")).json();
    expect(left.find((r: { request_id: string }) => r.request_id === e.request_id)).toBeUndefined();
    expect((await gw("/spend/dead_letters", { key: k.key })).status).toBe(403);
  });
});
