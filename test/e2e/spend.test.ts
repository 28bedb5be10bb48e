import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { SpendEvent, SpendMessage } from "../../src/spend/event";
import { writeSpend } from "../../src/spend/consumer";
import { env, eventually, gw, newKey, openai, post, withEnv } from "../helpers/gateway";
import { chunked, fakeUpstream, json, resetUpstreams, sse } from "../helpers/upstream";

const completion = (usage: Record<string, unknown>) => ({
  id: "c",
  object: "chat.completion",
  created: 1,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
  usage,
});

async function logsOf(token: string): Promise<any[]> {
  return (await gw(`/spend/logs?api_key=${token}`)).json();
}

afterEach(resetUpstreams);

describe("spend", () => {
  it("prices a call from the config's per-token costs, logs it, and adds it to the key's spend", async () => {
    fakeUpstream("https://api.openai.test/v1", () => json(completion({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 })));
    const k = await newKey();
    const { response } = await openai(k.key)
      .chat.completions.create({ model: "priced", messages: [{ role: "user", content: "hi" }], user: "alice" })
      .withResponse();
    // 1000 * 0.000001 + 500 * 0.000002
    expect(Number(response.headers.get("x-gateway-cost"))).toBeCloseTo(0.002, 12);
    const requestId = response.headers.get("x-request-id");
    const rows = await eventually(async () => {
      const r = await logsOf(k.token);
      return r.length ? r : undefined;
    });
    expect(rows[0]).toMatchObject({
      request_id: requestId,
      api_key: k.token,
      model: "house-model",
      model_group: "priced",
      provider: "openai",
      deployment: "priced-1",
      prompt_tokens: 1000,
      completion_tokens: 500,
      total_tokens: 1500,
      status: "success",
      metadata: { user: "alice", stream: false },
    });
    expect(rows[0].spend).toBe(Number(response.headers.get("x-gateway-cost")));
    expect(rows[0].startTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    const info = await eventually(async () => {
      const i = await (await gw(`/key/info?key=${k.token}`)).json();
      return i.info.spend > 0 ? i : undefined;
    });
    expect(info.info.spend).toBe(rows[0].spend);
  });

  it("prices OpenAI models from the maintained price table, and cached tokens as their own class", async () => {
    const usage = { prompt_tokens: 2000, completion_tokens: 100, total_tokens: 2100, prompt_tokens_details: { cached_tokens: 1000 } };
    fakeUpstream("https://api.openai.test/v1", () => json(completion(usage)));
    const { response } = await openai()
      .chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    const cost = Number(response.headers.get("x-gateway-cost"));
    // gpt-4o-mini: $0.15/M input, $0.075/M cached input, $0.60/M output.
    expect(cost).toBeCloseTo((1000 * 0.15 + 1000 * 0.075 + 100 * 0.6) / 1e6, 12);
  });

  it("prices a streamed call the same as the unstreamed one", async () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };
    const k = await newKey();
    fakeUpstream("https://api.openai.test/v1", (_req, body) =>
      JSON.parse(body).stream
        ? chunked([
            sse([
              { id: "s", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { role: "assistant", content: "ok" }, finish_reason: "stop" }] },
              { id: "s", object: "chat.completion.chunk", created: 1, model: "m", choices: [], usage },
            ]),
          ])
        : json(completion(usage)),
    );
    const stream = await openai(k.key).chat.completions.create({ model: "priced", messages: [{ role: "user", content: "hi" }], stream: true });
    for await (const _ of stream) void _;
    const rows = await eventually(async () => {
      const r = await logsOf(k.token);
      return r.length ? r : undefined;
    });
    expect(rows[0]).toMatchObject({ status: "success", prompt_tokens: 1000, completion_tokens: 500, metadata: { stream: true } });
    expect(rows[0].spend).toBeCloseTo(0.002, 12);
  });

  it("logs a model with no known price with spend null, never a silent $0", async () => {
    fakeUpstream("https://api.openai.test/v1", () => json(completion({ prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 })));
    const k = await newKey();
    const { response } = await openai(k.key)
      .chat.completions.create({ model: "unpriced", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(response.headers.get("x-gateway-cost")).toBeNull();
    const rows = await eventually(async () => {
      const r = await logsOf(k.token);
      return r.length ? r : undefined;
    });
    expect(rows[0].spend).toBeNull();
  });

  it("logs a failed call with its status and cost 0", async () => {
    fakeUpstream("https://api.openai.test/v1", () => json({ error: { message: "boom", type: "server_error" } }, 500));
    const k = await newKey();
    const res = await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }, k.key);
    expect(res.status).toBe(500);
    const rows = await eventually(async () => {
      const r = await logsOf(k.token);
      return r.length ? r : undefined;
    });
    expect(rows[0]).toMatchObject({ status: "failure", spend: 0, metadata: { http_status: 500 } });
  });

  it("counts a redelivered event once (idempotent by request id)", async () => {
    const k = await newKey();
    const event: SpendEvent = {
      request_id: `dup-${crypto.randomUUID()}`,
      api_key: k.token,
      model: "m",
      model_group: "g",
      provider: "openai",
      deployment: "d",
      prompt_tokens: 1,
      completion_tokens: 1,
      spend: 0.5,
      status: "success",
      start_time: Date.now(),
      end_time: Date.now(),
      metadata: {},
    };
    await writeSpend(env, [event, event]);
    await writeSpend(env, [event]);
    // And once more through the real queue handler, as a redelivered batch.
    const batch = createMessageBatch<SpendMessage>("switchyard-spend", [{ id: "m1", timestamp: Date.now(), attempts: 2, body: { events: [event] } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.ackAll).toBe(true);
    const info = await (await gw(`/key/info?key=${k.token}`)).json();
    expect(info.info.spend).toBe(0.5);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM spend_logs WHERE request_id = ?").bind(event.request_id).first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });

  it("filters /spend/logs by model and date, and refuses malformed dates", async () => {
    const k = await newKey();
    const base = { api_key: k.token, model: "m", provider: "openai", deployment: "d", prompt_tokens: 1, completion_tokens: 1, spend: 0.1, status: "success", metadata: {} };
    const day = (d: string) => Date.parse(`${d}T12:00:00Z`);
    await writeSpend(env, [
      { ...base, request_id: `f1-${k.token}`, model_group: "a", start_time: day("2026-01-01"), end_time: day("2026-01-01") },
      { ...base, request_id: `f2-${k.token}`, model_group: "b", start_time: day("2026-01-02"), end_time: day("2026-01-02") },
      { ...base, request_id: `f3-${k.token}`, model_group: "a", start_time: day("2026-01-03"), end_time: day("2026-01-03") },
    ]);
    const byModel = await (await gw(`/spend/logs?api_key=${k.token}&model=a`)).json();
    expect(byModel.map((r: { request_id: string }) => r.request_id)).toEqual([`f3-${k.token}`, `f1-${k.token}`]);
    const byDate = await (await gw(`/spend/logs?api_key=${k.token}&start_date=2026-01-02&end_date=2026-01-02`)).json();
    expect(byDate.map((r: { request_id: string }) => r.request_id)).toEqual([`f2-${k.token}`]);
    const bad = await gw("/spend/logs?start_date=2026-13-01");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.param).toBe("start_date");
    const paged = await (await gw(`/spend/logs?api_key=${k.token}&page=2&page_size=2`)).json();
    expect(paged).toHaveLength(1);
    const notAdmin = await gw("/spend/logs", { key: k.key });
    expect(notAdmin.status).toBe(403);
  });

  it("keeps no prompt or answer in a row unless store_prompts_in_spend_logs is on", async () => {
    fakeUpstream("https://api.openai.test/v1", () => json(completion({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 })));
    const k = await newKey();
    await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "secret-prompt-1" }] }, k.key);
    const cfg = (env.GATEWAY_CONFIG as string).replace("general_settings:", "general_settings:\n  store_prompts_in_spend_logs: true");
    const res = await withEnv({ GATEWAY_CONFIG: cfg }, "/v1/chat/completions", {
      method: "POST",
      key: k.key,
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "kept-prompt-2" }] }),
    });
    expect(res.status).toBe(200);
    const rows = await eventually(async () => {
      const r = await logsOf(k.token);
      return r.length === 2 ? r : undefined;
    });
    expect(JSON.stringify(rows)).not.toContain("secret-prompt-1");
    const kept = rows.find((r) => JSON.stringify(r.metadata).includes("kept-prompt-2"))!;
    expect(kept.metadata.request).toContain("kept-prompt-2");
    expect(kept.metadata.response).toContain('"content":"ok"');
  });
});
