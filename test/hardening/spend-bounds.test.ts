import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { boundSpendEvent, MAX_TAG_CHARS, MAX_TAGS, MAX_USER_CHARS } from "../../src/spend/bounds";
import type { SpendEvent, SpendMessage } from "../../src/spend/event";
import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES, recordSpend } from "../../src/spend/sender";
import { env } from "../helpers/gateway";

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).length;

function event(id: string, metadata: Record<string, unknown> = {}): SpendEvent {
  return {
    request_id: id,
    api_key: "master",
    model: "m",
    model_group: "g",
    provider: "openai",
    deployment: "d",
    prompt_tokens: 1,
    completion_tokens: 1,
    spend: 0.000001,
    status: "success",
    start_time: Date.now(),
    end_time: Date.now(),
    metadata,
  };
}

describe("boundSpendEvent", () => {
  it("leaves a small event as it is", () => {
    const e = event("a", { user: "alice", tags: ["x", "y"], route: "chat", stream: false });
    expect(boundSpendEvent(e)).toEqual(e);
  });

  it("trims user, tag count and tag length, model names and any other metadata, and marks the event truncated", () => {
    const e = event("b", {
      user: "u".repeat(10_000),
      tags: Array.from({ length: 500 }, (_, i) => `${i}`.padEnd(5000, "x")),
      anything: { deep: { deeper: "z".repeat(200_000) } },
      list: Array.from({ length: 10_000 }, () => 1),
    });
    e.model = "m".repeat(50_000);
    e.model_group = "g".repeat(50_000);
    const out = boundSpendEvent(e);
    expect(out.metadata.truncated).toBe(true);
    expect((out.metadata.user as string).length).toBeLessThanOrEqual(MAX_USER_CHARS + 20);
    const tags = out.metadata.tags as string[];
    expect(tags.length).toBe(MAX_TAGS);
    for (const t of tags) expect(t.length).toBeLessThanOrEqual(MAX_TAG_CHARS + 20);
    expect(out.model.length).toBeLessThan(1000);
    expect(out.model_group.length).toBeLessThan(1000);
    expect(bytes(out)).toBeLessThan(64 * 1024);
    // The original is not changed.
    expect((e.metadata.user as string).length).toBe(10_000);
  });

  it("never throws, whatever the metadata holds (cycles, non-JSON values)", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const out = boundSpendEvent(event("c", { cyclic, n: 10n as unknown, f: () => 1 } as Record<string, unknown>));
    expect(() => JSON.stringify(out)).not.toThrow();
  });
});

/** A queue that records what it was given, and fails its first `failures` calls. */
function fakeQueue(failures = 0) {
  const sends: SpendMessage[][] = [];
  let calls = 0;
  const queue = {
    async send(body: SpendMessage) {
      calls++;
      if (calls <= failures) throw new Error("queue unavailable");
      sends.push([body]);
    },
    async sendBatch(messages: { body: SpendMessage }[]) {
      calls++;
      if (calls <= failures) throw new Error("queue unavailable");
      sends.push(messages.map((m) => m.body));
    },
  };
  return { queue, sends, calls: () => calls };
}

async function record(queue: unknown, events: SpendEvent[]): Promise<void> {
  const ctx = createExecutionContext();
  const e = { ...env, SPEND_QUEUE: queue } as unknown as Env;
  for (const ev of events) recordSpend(e, ctx, ev);
  await waitOnExecutionContext(ctx);
}

describe("spend sender: batches by bytes, and never stops", () => {
  it("packs events into messages under the message limit and batches under the batch limits", async () => {
    const q = fakeQueue();
    const events = Array.from({ length: 300 }, (_, i) => event(`pack-${i}`, { note: "n".repeat(900), user: `user-${i}` }));
    await record(q.queue, events);
    const sent = q.sends.flat().flatMap((m) => m.events);
    expect(sent.map((e) => e.request_id).sort()).toEqual(events.map((e) => e.request_id).sort());
    for (const batch of q.sends) {
      expect(batch.length).toBeLessThanOrEqual(100);
      expect(bytes(batch)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
      for (const m of batch) expect(bytes(m)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    }
    expect(q.sends.length).toBeGreaterThan(1);
  });

  it("a failed send is retried once", async () => {
    const q = fakeQueue(1);
    await record(q.queue, [event("retry-1")]);
    expect(q.calls()).toBe(2);
    expect(
      q.sends
        .flat()
        .flatMap((m) => m.events)
        .map((e) => e.request_id),
    ).toEqual(["retry-1"]);
  });

  it("a send that fails twice is written straight to D1: nothing is lost", async () => {
    const q = fakeQueue(1_000);
    const token = `direct-${crypto.randomUUID()}`;
    const e = { ...event("direct-1"), api_key: token };
    await record(q.queue, [e]);
    expect(q.calls()).toBe(2);
    const { results } = await env.DB.prepare("SELECT request_id FROM spend_logs WHERE api_key = ?").bind(token).all<{ request_id: string }>();
    expect(results.map((r) => r.request_id)).toEqual(["direct-1"]);
  });
});

describe("spend sender: an event D1 refuses does not hold back the others", () => {
  it("with the queue down, the good events of a batch land and the bad one is parked in the dead letters after a few flushes", async () => {
    const q = fakeQueue(1_000);
    const token = `mixed-${crypto.randomUUID()}`;
    const bad = { ...event("bad-1"), api_key: token, prompt_tokens: null as unknown as number };
    const good = { ...event("good-1"), api_key: token };
    await record(q.queue, [bad, good]);
    const rows = async () => (await env.DB.prepare("SELECT request_id FROM spend_logs WHERE api_key = ?").bind(token).all<{ request_id: string }>()).results.map((r) => r.request_id);
    expect(await rows()).toEqual(["good-1"]);
    // The bad one is retried with later flushes, then dropped: flushes keep working.
    for (let i = 0; i < 3; i++) await record(q.queue, [{ ...event(`later-${i}`), api_key: token }]);
    expect((await rows()).sort()).toEqual(["good-1", "later-0", "later-1", "later-2"]);
    const sendsBefore = q.calls();
    await record(q.queue, [{ ...event("last"), api_key: token }]);
    expect(q.calls() - sendsBefore).toBe(2); // one batch, retried once: the bad event is no longer carried
    const parked = await env.DB.prepare("SELECT request_id FROM spend_dead_letters WHERE request_id = 'bad-1'").first<{ request_id: string }>();
    expect(parked?.request_id).toBe("bad-1");
  });
});
