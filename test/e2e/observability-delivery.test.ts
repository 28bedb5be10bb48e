import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { SpendEvent, SpendMessage } from "../../src/spend/event";
import { backoffSeconds } from "../../src/telemetry/export-consumer";
import type { ExportMessage } from "../../src/telemetry/export-message";
import { env, eventually, gw, newKey, post, withEnv } from "../helpers/gateway";
import { at, fakeSinks, SINK_URLS, spansAt } from "../helpers/sinks";
import { chatAnswer, fakeUpstream, json, resetUpstreams } from "../helpers/upstream";

const CONFIG = (callbacks: string) => `
model_list:
  - model_name: traced
    litellm_params:
      model: openai/m-tr
      api_base: https://tr.test/v1
      api_key: k
    model_info:
      id: tr
litellm_settings:
  callbacks: [${callbacks}]
`;
const answer = () => chatAnswer();
const call = (callbacks: string) =>
  withEnv({ GATEWAY_CONFIG: CONFIG(callbacks) }, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "traced", messages: [{ role: "user", content: "x" }] }) });

const event = (id: string, key: string, callbacks: string[]): SpendEvent => ({
  request_id: id,
  api_key: key,
  model: "m-tr",
  model_group: "traced",
  provider: "openai",
  deployment: "tr",
  prompt_tokens: 3,
  completion_tokens: 2,
  spend: 0.5,
  status: "success",
  start_time: Date.now() - 100,
  end_time: Date.now(),
  metadata: {},
  trace: {
    callbacks,
    operation: "chat",
    redacted: true,
    attempts: [{ deployment: "tr", model: "m-tr", model_group: "traced", provider: "openai", api_base: "tr.test", status: 200, start: Date.now() - 90, end: Date.now() - 10 }],
  },
});

async function deliverSpend(events: SpendEvent[], attempts = 1) {
  const batch = createMessageBatch<SpendMessage>("switchyard-spend", [{ id: `m-${Math.random()}`, timestamp: new Date(), attempts, body: { events } }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

const parked = async (sink: string) => (await (await gw(`/callbacks/dead_letters?sink=${sink}`)).json()) as Array<{ sink: string; request_ids: string[]; attempts: number; error: string }>;

afterEach(resetUpstreams);

describe("export delivery", () => {
  it("a redelivered spend batch counts once and sends the same ids again, so sinks that deduplicate keep one copy (R2: one object)", async () => {
    fakeSinks();
    const k = await newKey();
    const e = event(`redeliver-${k.token}`, k.token, ["langfuse", "otel", "s3"]);
    expect((await deliverSpend([e])).ackAll).toBe(true);
    await deliverSpend([structuredClone(e)], 2);
    const lf = await eventually(async () => {
      const got = at(SINK_URLS.langfuse).filter((r) => r.body.includes(e.request_id));
      return got.length >= 2 && got;
    });
    const ids = lf.map((r) => r.json<{ batch: Array<{ id: string }> }>().batch.map((x) => x.id));
    expect(ids[0]).toEqual([`${e.request_id}-trace`, `${e.request_id}-generation`]);
    expect(ids[1]).toEqual(ids[0]);
    const spans = await eventually(async () => {
      // Two deliveries of one call: its call span and its attempt span, twice, with the same ids.
      const s = spansAt(SINK_URLS.otel);
      return s.length >= 4 && s;
    });
    expect(spans.length).toBe(4);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(2);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    await eventually(async () => {
      const list = await (env.LOG_BUCKET as R2Bucket).list();
      const mine = [];
      for (const o of list.objects) if ((await (await (env.LOG_BUCKET as R2Bucket).get(o.key))!.text()).includes(e.request_id)) mine.push(o.key);
      return mine.length === 1;
    });
    expect((await (await gw(`/key/info?key=${k.token}`)).json<{ info: { spend: number } }>()).info.spend).toBe(0.5);
  });

  it("a sink that is down for a while catches up through the export queue's retries", async () => {
    fakeSinks();
    fakeUpstream("https://tr.test/v1", answer);
    let refused = 0;
    fakeUpstream(SINK_URLS.generic, () => (refused++ < 2 ? new Response("down", { status: 503 }) : new Response("ok")));
    const res = await call("generic_api");
    const id = res.headers.get("x-request-id")!;
    // Two refusals, then the third delivery is taken.
    await eventually(async () => at(SINK_URLS.generic).filter((r) => r.body.includes(id)).length >= 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(at(SINK_URLS.generic).filter((r) => r.body.includes(id)).length).toBe(3);
    expect((await parked("generic_api")).filter((p) => p.request_ids.includes(id))).toEqual([]);
  });

  it("a sink down for good ends in its dead letters while spend rows keep landing; a replay sends them once it is back", async () => {
    fakeSinks();
    fakeUpstream("https://tr.test/v1", answer);
    fakeUpstream(SINK_URLS.datadog, () => new Response("boom", { status: 500 }));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await call("datadog")).headers.get("x-request-id")!);
    const rows = await eventually(async () => {
      const all = (await (await gw("/spend/logs?page_size=1000")).json()) as Array<{ request_id: string }>;
      const got = ids.map((id) => all.filter((r) => r.request_id === id).length);
      return got.every((n) => n === 1) && got;
    });
    expect(rows).toEqual([1, 1, 1]);
    const letters = await eventually(async () => {
      const p = await parked("datadog");
      return ids.every((id) => p.some((x) => x.request_ids.includes(id))) && p;
    });
    // callback_delivery.max_attempts is 3 in the test config.
    expect(letters.every((l) => l.attempts === 3 && l.error.includes("500"))).toBe(true);

    fakeUpstream(SINK_URLS.datadog, () => json({}, 202));
    const before = at(SINK_URLS.datadog).length;
    const replay = await post("/callbacks/dead_letters/replay?sink=datadog", {});
    expect(replay.status).toBe(200);
    expect((await replay.json<{ replayed: number }>()).replayed).toBeGreaterThanOrEqual(1);
    await eventually(async () =>
      ids.every((id) =>
        at(SINK_URLS.datadog)
          .slice(before)
          .some((r) => r.body.includes(id)),
      ),
    );
    expect(await parked("datadog")).toEqual([]);
  });

  it("a sink that refuses the batch (4xx) or is not configured parks it at once, without retries", async () => {
    const batch = createMessageBatch<ExportMessage>("switchyard-export", [
      { id: "a", timestamp: new Date(), attempts: 1, body: { sink: "generic_api", events: [event("refused-1", "master", ["generic_api"])] } },
      { id: "b", timestamp: new Date(), attempts: 1, body: { sink: "otel", events: [event("unconfigured-1", "master", ["otel"])] } },
    ]);
    fakeUpstream(SINK_URLS.generic, () => new Response("bad payload", { status: 400 }));
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: undefined } as never, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks.sort()).toEqual(["a", "b"]);
    expect((await parked("generic_api")).find((p) => p.request_ids.includes("refused-1"))).toMatchObject({ attempts: 1, error: expect.stringContaining("400") });
    expect((await parked("otel")).find((p) => p.request_ids.includes("unconfigured-1"))?.error).toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
  });

  it("a failing delivery is retried with a doubling, capped backoff", async () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffSeconds(n, 5, 60))).toEqual([5, 10, 20, 40, 60]);
    fakeUpstream(SINK_URLS.generic, () => new Response("down", { status: 503 }));
    const batch = createMessageBatch<ExportMessage>("switchyard-export", [
      { id: "r", timestamp: new Date(), attempts: 1, body: { sink: "generic_api", events: [event("retry-1", "master", ["generic_api"])] } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    // The test config's backoff_seconds is 0 (general_settings.callback_delivery): retried at once.
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["r"]);
    expect(result.explicitAcks).toEqual([]);
  });

  it("the dead-letter routes take the master key and refuse an unknown sink with a 400", async () => {
    const k = await newKey();
    expect((await gw("/callbacks/dead_letters", { key: k.key })).status).toBe(403);
    const bad = await gw("/callbacks/dead_letters?sink=helicone");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: "sink", type: "invalid_request_error" } });
    expect((await post("/callbacks/dead_letters/replay?limit=0", {})).status).toBe(400);
  });
});
