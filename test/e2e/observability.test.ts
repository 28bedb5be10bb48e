import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import type { Env } from "../../src/env";
import { BASE, env, eventually, gw, MASTER, newKey, withEnv } from "../helpers/gateway";
import { at, attrs, fakeSinks, SINK_URLS, spansAt } from "../helpers/sinks";
import { chunked, fakeUpstream, json, received, resetUpstreams, sse } from "../helpers/upstream";

const dep = (name: string, host: string) => `
  - model_name: ${name}
    litellm_params:
      model: openai/m-${host}
      api_base: https://${host}.test/v1
      api_key: k
      input_cost_per_token: 0.000001
      output_cost_per_token: 0.000002
    model_info:
      id: ${host}`;

const config = (litellm: string) => `
model_list:${dep("traced", "tr")}${dep("flaky", "fl-dead")}${dep("flaky", "fl-alive")}${dep("primary", "pr-down")}${dep("backup", "bk")}
router_settings:
  num_retries: 1
  fallbacks:
    - primary: [backup]
litellm_settings:
${litellm}
`;

const ALL = config("  callbacks: [otel, langfuse, generic_api, s3, datadog]");

const answer =
  (text = "the answer", usage: Record<string, unknown> = { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 }) =>
  () =>
    json({ id: "chatcmpl-up", object: "chat.completion", created: 1, model: "m-upstream-2025", choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }], usage });
const fail = (status: number) => () => json({ error: { message: `fail ${status}`, type: "server_error" } }, status);

const chat = (cfg: string, body: Record<string, unknown>, headers: Record<string, string> = {}, key?: string) =>
  withEnv({ GATEWAY_CONFIG: cfg }, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ messages: [{ role: "user", content: "secret prompt text" }], ...body }), headers, key });

afterEach(resetUpstreams);

describe("export sinks", () => {
  it("every configured sink receives the call: OTLP spans, Langfuse events, StandardLoggingPayload, R2 NDJSON, Datadog logs", async () => {
    fakeSinks();
    fakeUpstream("https://tr.test/v1", answer());
    const k = await newKey({ key_alias: "team-bot" });
    const res = await chat(
      ALL,
      {
        model: "traced",
        max_tokens: 50,
        temperature: 0.2,
        user: "end-user-1",
        metadata: { tags: ["prod"], session_id: "sess-1", generation_name: "gen-x", trace_user_id: "u-9", trace_id: "my-free-form-trace" },
      },
      {},
      k.key,
    );
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id")!;

    const spans = await eventually(async () => spansAt(SINK_URLS.otel).length >= 2 && spansAt(SINK_URLS.otel));
    const call = spans.find((s) => s.name === "chat traced")!;
    const attempt = spans.find((s) => s.name === "chat m-tr")!;
    expect(call.parentSpanId).toBeUndefined();
    expect(attempt.parentSpanId).toBe(call.spanId);
    expect(attempt.traceId).toBe(call.traceId);
    expect(call.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(attrs(call)).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "traced",
      "gen_ai.request.max_tokens": 50,
      "gen_ai.request.temperature": 0.2,
      "gen_ai.response.id": "chatcmpl-up",
      "gen_ai.response.model": "m-upstream-2025",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 10,
      "gen_ai.usage.output_tokens": 4,
      "switchyard.key.alias": "team-bot",
      "switchyard.tags": ["prod"],
      "switchyard.end_user": "end-user-1",
      // A free-form trace id is an attribute, never the span's trace id.
      "metadata.trace_id": "my-free-form-trace",
      "session.id": "sess-1",
      "switchyard.request_id": id,
    });
    expect(attrs(call)["gen_ai.usage.cost"]).toBeCloseTo(10 * 0.000001 + 4 * 0.000002, 12);
    expect(attrs(attempt)).toMatchObject({ "gen_ai.request.model": "m-tr", "server.address": "tr.test", "http.response.status_code": 200 });
    expect(attrs(attempt)["gen_ai.usage.input_tokens"]).toBeUndefined();
    const otlp = at(SINK_URLS.otel)[0]!;
    expect(otlp.headers["x-otel-token"]).toBe("otel-secret");
    expect(otlp.headers["x-tenant"]).toBe("acme corp");

    const lf = await eventually(async () => at(SINK_URLS.langfuse)[0]);
    expect(lf.headers.authorization).toBe(`Basic ${btoa("pk-lf-test:sk-lf-test")}`);
    const batch = lf.json<{ batch: Array<{ id: string; type: string; body: Record<string, unknown> }> }>().batch;
    expect(batch.map((e) => e.type)).toEqual(["trace-create", "generation-create"]);
    expect(batch[0]).toMatchObject({ id: `${id}-trace`, body: { id: "my-free-form-trace", userId: "u-9", sessionId: "sess-1", tags: ["prod"] } });
    expect(batch[1]).toMatchObject({
      id: `${id}-generation`,
      body: { id, traceId: "my-free-form-trace", name: "gen-x", model: "m-upstream-2025", usageDetails: { input: 10, output: 4, total: 14 }, modelParameters: { max_tokens: 50, temperature: 0.2 } },
    });

    const generic = await eventually(async () => at(SINK_URLS.generic)[0]);
    expect(generic.headers.authorization).toBe("Bearer generic-secret");
    expect(generic.json<unknown[]>()).toEqual([
      expect.objectContaining({
        id,
        status: "success",
        model_group: "traced",
        model_id: "tr",
        prompt_tokens: 10,
        completion_tokens: 4,
        api_base: "tr.test",
        end_user: "end-user-1",
        request_tags: ["prod"],
        metadata: expect.objectContaining({ user_api_key_hash: k.token, user_api_key_alias: "team-bot" }),
      }),
    ]);

    const dd = await eventually(async () => at(SINK_URLS.datadog)[0]);
    expect(dd.headers["dd-api-key"]).toBe("dd-test-key");
    const logs = dd.json<Array<{ ddsource: string; status: string; message: string }>>();
    expect(logs[0]).toMatchObject({ ddsource: "litellm", status: "info" });
    expect(JSON.parse(logs[0]!.message)).toMatchObject({ id, status: "success" });

    const day = new Date().toISOString().slice(0, 10);
    const objects = await eventually(async () => {
      const list = await (env.LOG_BUCKET as R2Bucket).list({ prefix: `${day}/` });
      return list.objects.length > 0 && list.objects;
    });
    const text = await (await (env.LOG_BUCKET as R2Bucket).get(objects[0]!.key))!.text();
    expect(
      text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).id),
    ).toContain(id);

    // Message logging is off by default: no prompt or answer text anywhere.
    for (const url of [SINK_URLS.otel, SINK_URLS.langfuse, SINK_URLS.generic, SINK_URLS.datadog]) {
      for (const r of at(url)) {
        expect(r.body).not.toContain("secret prompt text");
        expect(r.body).not.toContain("the answer");
      }
    }
    expect(text).not.toContain("secret prompt text");
  });

  it("a caller's traceparent is kept: the call span joins the caller's trace under its span", async () => {
    fakeSinks();
    fakeUpstream("https://tr.test/v1", answer());
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const res = await chat(config("  callbacks: [otel]"), { model: "traced" }, { traceparent });
    const id = res.headers.get("x-request-id")!;
    const spans = await eventually(async () => {
      const s = spansAt(SINK_URLS.otel).filter((x) => attrs(x)["switchyard.request_id"] === id || x.traceId === "0af7651916cd43dd8448eb211c80319c");
      return s.length >= 2 && s;
    });
    const call = spans.find((s) => s.name === "chat traced")!;
    expect(call.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(call.parentSpanId).toBe("b7ad6b7169203331");
    // Passed upstream: the caller's trace, the attempt's span as the parent.
    const attempt = spans.find((s) => s.parentSpanId === call.spanId)!;
    const sent = received.find((r) => r.url.startsWith("https://tr.test/v1"))!;
    expect(sent.headers.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${attempt.spanId}-01`);
  });

  it("each upstream attempt carries the traceparent of its own span when traces are exported", async () => {
    fakeSinks();
    fakeUpstream("https://pr-down.test/v1", fail(503));
    fakeUpstream("https://bk.test/v1", answer());
    const res = await chat(config("  callbacks: [otel]"), { model: "primary" });
    const id = res.headers.get("x-request-id")!;
    const children = await eventually(async () => {
      const call = spansAt(SINK_URLS.otel).find((s) => attrs(s)["switchyard.request_id"] === id);
      const kids = call ? spansAt(SINK_URLS.otel).filter((s) => s.parentSpanId === call.spanId) : [];
      return kids.length >= 3 && kids;
    });
    const sent = received.filter((r) => r.url.startsWith("https://pr-down.test/") || r.url.startsWith("https://bk.test/")).map((r) => r.headers.traceparent);
    expect(sent).toEqual(children.map((s) => `00-${s.traceId}-${s.spanId}-01`));
    // Without an OTel callback and without a caller's trace, nothing is added.
    resetUpstreams();
    fakeUpstream("https://tr.test/v1", answer());
    await chat(config(""), { model: "traced" });
    expect(received.find((r) => r.url.startsWith("https://tr.test/v1"))!.headers.traceparent).toBeUndefined();
  });

  it("retries and fallbacks show as child spans of one call span, the failed ones with error.type", async () => {
    fakeSinks();
    fakeUpstream("https://pr-down.test/v1", fail(503));
    fakeUpstream("https://bk.test/v1", answer());
    const res = await chat(config("  callbacks: [otel]"), { model: "primary" });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id")!;
    const spans = await eventually(async () => {
      const call = spansAt(SINK_URLS.otel).find((s) => attrs(s)["switchyard.request_id"] === id);
      const children = call ? spansAt(SINK_URLS.otel).filter((s) => s.parentSpanId === call.spanId) : [];
      return call && children.length >= 3 && { call, children };
    });
    // num_retries 1: two attempts on primary, then the fallback.
    expect(spans.children.map((s) => s.name)).toEqual(["chat m-pr-down", "chat m-pr-down", "chat m-bk"]);
    expect(spans.children.map((s) => attrs(s)["http.response.status_code"])).toEqual([503, 503, 200]);
    expect(attrs(spans.children[0]!)["error.type"]).toBeDefined();
    expect(attrs(spans.children[2]!)["error.type"]).toBeUndefined();
    expect(spans.children.every((s) => s.traceId === spans.call.traceId)).toBe(true);
    expect(attrs(spans.call)["error.type"]).toBeUndefined();
  });

  it("a failed call is exported by failure_callback with error.type, and not by success_callback", async () => {
    fakeSinks();
    fakeUpstream("https://pr-down.test/v1", fail(503));
    fakeUpstream("https://bk.test/v1", fail(500));
    const res = await chat(config("  success_callback: [langfuse]\n  failure_callback: [otel]"), { model: "primary" });
    expect(res.status).toBe(500);
    const id = res.headers.get("x-request-id")!;
    const call = await eventually(async () => spansAt(SINK_URLS.otel).find((s) => attrs(s)["switchyard.request_id"] === id));
    expect(call.status.code).toBe(2);
    expect(attrs(call)["error.type"]).toBeTruthy();
    // The spend row lands, and the success sink never hears of the call.
    await eventually(async () => ((await (await gw("/spend/logs?page_size=1000")).json()) as Array<{ request_id: string; status: string }>).find((r) => r.request_id === id && r.status === "failure"));
    expect(at(SINK_URLS.langfuse).filter((r) => r.body.includes(id))).toEqual([]);
  });

  it("message content is exported only with turn_off_message_logging: false, clipped to 8,000 characters per message, and never with the redaction header", async () => {
    fakeSinks();
    fakeUpstream("https://tr.test/v1", answer("visible answer"));
    const cfg = config("  callbacks: [generic_api]\n  turn_off_message_logging: false");
    const long = "y".repeat(9000);
    const res = await chat(cfg, { model: "traced", messages: [{ role: "user", content: long }] });
    const id = res.headers.get("x-request-id")!;
    const payload = await eventually(async () =>
      at(SINK_URLS.generic)
        .flatMap((r) => r.json<Array<Record<string, unknown>>>())
        .find((p) => p.id === id),
    );
    const messages = payload.messages as Array<{ content: string }>;
    expect(messages[0]!.content).toBe(`${"y".repeat(8000)}...[truncated]`);
    expect(JSON.stringify(payload.response)).toContain("visible answer");

    const redacted = await chat(cfg, { model: "traced" }, { "x-litellm-enable-message-redaction": "true" });
    const rid = redacted.headers.get("x-request-id")!;
    const quiet = await eventually(async () =>
      at(SINK_URLS.generic)
        .flatMap((r) => r.json<Array<Record<string, unknown>>>())
        .find((p) => p.id === rid),
    );
    expect(quiet.messages).toBeNull();
    expect(JSON.stringify(quiet)).not.toContain("secret prompt text");

    const noLog = await newKey({ metadata: { "no-log": true } });
    const keyed = await chat(cfg, { model: "traced" }, {}, noLog.key);
    const kid = keyed.headers.get("x-request-id")!;
    const fromKey = await eventually(async () =>
      at(SINK_URLS.generic)
        .flatMap((r) => r.json<Array<Record<string, unknown>>>())
        .find((p) => p.id === kid),
    );
    expect(JSON.stringify(fromKey)).not.toContain("secret prompt text");
  });

  it("a stream's time to first token reaches the sinks", async () => {
    fakeSinks();
    fakeUpstream("https://tr.test/v1", () =>
      chunked([
        sse([{ id: "s1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { role: "assistant", content: "hi" }, finish_reason: null }] }], false),
        sse([
          {
            id: "s1",
            object: "chat.completion.chunk",
            created: 1,
            model: "m",
            choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
            usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4, prompt_tokens_details: { cached_tokens: 2 } },
          },
        ]),
      ]),
    );
    // A stream's spend is recorded when it ends: read it before waiting on the context.
    const ctx = createExecutionContext();
    const res = await buildApp().fetch(
      new Request(`${BASE}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "traced", stream: true, messages: [{ role: "user", content: "x" }] }),
      }),
      { ...env, GATEWAY_CONFIG: config("  callbacks: [otel]") } as Env,
      ctx,
    );
    await res.text();
    await waitOnExecutionContext(ctx);
    const id = res.headers.get("x-request-id")!;
    const call = await eventually(async () => spansAt(SINK_URLS.otel).find((s) => attrs(s)["switchyard.request_id"] === id));
    expect(attrs(call)["switchyard.time_to_first_token_ms"]).toBeGreaterThanOrEqual(0);
    expect(attrs(call)["gen_ai.usage.cache_read.input_tokens"]).toBe(2);
    expect(attrs(call)["switchyard.stream"]).toBe(true);
  });
});

describe("callback config", () => {
  it("an unknown callback is listed as unsupported at /health/readiness and not run", async () => {
    const res = await withEnv({ GATEWAY_CONFIG: config("  callbacks: [otel, helicone]") }, "/health/readiness");
    const body = await res.json<{ config: { unsupported: string[] } }>();
    expect(body.config.unsupported).toContain("litellm_settings.callbacks: callback 'helicone' is not supported yet; not run");
  });

  it("a callbacks value that is not a list is a config error naming the setting", async () => {
    const res = await withEnv({ GATEWAY_CONFIG: config("  callbacks: otel") }, "/v1/models");
    expect(res.status).toBe(503);
    expect((await res.json<{ error: { message: string } }>()).error.message).toContain("litellm_settings.callbacks");
  });
});
