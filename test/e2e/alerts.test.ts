import { createExecutionContext, createMessageBatch } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { recordAlert } from "../../src/limits/alerts";
import type { SpendEvent, SpendMessage } from "../../src/spend/event";
import { env } from "../helpers/gateway";
import { at, fakeSinks, SINK_URLS } from "../helpers/sinks";
import { resetUpstreams } from "../helpers/upstream";

const config = (extra = "") => `
general_settings:
  alerting: [slack, webhook]
  alerting_args:
    outage_alert_ttl: 60
    minor_outage_alert_threshold: 3
    budget_alert_ttl: 3600
${extra}`;
const alertEnv = (cfg: string) => ({ ...env, GATEWAY_CONFIG: cfg, SLACK_WEBHOOK_URL: SINK_URLS.slack, WEBHOOK_URL: SINK_URLS.webhook }) as unknown as Env;

let n = 0;
const failedCall = (deployment: string): SpendEvent => ({
  request_id: `alert-${deployment}-${n++}-${Math.random()}`,
  api_key: "master",
  model: "m",
  model_group: "grp",
  provider: "openai",
  deployment,
  prompt_tokens: 0,
  completion_tokens: 0,
  spend: 0,
  status: "failure",
  start_time: Date.now(),
  end_time: Date.now(),
  metadata: {},
  trace: {
    callbacks: [],
    operation: "chat",
    redacted: true,
    error: { type: "server_error", status: 503 },
    attempts: [{ deployment, model: "m", model_group: "grp", provider: "openai", api_base: "x.test", status: 503, start: Date.now(), end: Date.now() }],
  },
});

async function consume(e: Env, events: SpendEvent[]) {
  const batch = createMessageBatch<SpendMessage>("switchyard-spend", [{ id: `b${Math.random()}`, timestamp: new Date(), attempts: 1, body: { events } }]);
  await worker.queue(batch, e, createExecutionContext());
}

afterEach(resetUpstreams);

describe("alerts", () => {
  it("outage_alerts: a deployment failing past minor_outage_alert_threshold in the window posts once to Slack and the webhook, not once per failure", async () => {
    fakeSinks();
    const e = alertEnv(config());
    await consume(e, [failedCall("dep-out-1"), failedCall("dep-out-1")]);
    expect(at(SINK_URLS.slack).filter((r) => r.body.includes("Outage alert"))).toEqual([]);
    for (let i = 0; i < 5; i++) await consume(e, [failedCall("dep-out-1")]);
    const slack = at(SINK_URLS.slack).filter((r) => r.body.includes("Outage alert"));
    expect(slack).toHaveLength(1);
    expect(slack[0]!.json<{ text: string }>().text).toContain("dep-out-1");
    const hook = at(SINK_URLS.webhook)
      .map((r) => r.json<Record<string, unknown>>())
      .filter((b) => b.alert_type === "outage_alerts");
    expect(hook).toEqual([expect.objectContaining({ deployment: "dep-out-1", failures: 3 })]);
    // llm_exceptions: one per model group and error in the window.
    expect(at(SINK_URLS.slack).filter((r) => r.body.includes("LLM exception"))).toHaveLength(1);
  });

  it("llm_exceptions leaves out calls refused before any upstream (key, limit, budget), as LiteLLM alerts on LLM API errors only", async () => {
    fakeSinks();
    const e = alertEnv(config());
    const refused = (type: string, status: number): SpendEvent => ({
      ...failedCall("dep-refused"),
      model_group: "grp-refused",
      provider: "",
      deployment: "",
      metadata: { refused: true, error: type, http_status: status },
      trace: { callbacks: [], operation: "chat", redacted: true, error: { type, status }, attempts: [] },
    });
    await consume(e, [refused("rate_limit_exceeded", 429), refused("budget_exceeded", 400), refused("invalid_api_key", 401)]);
    expect(at(SINK_URLS.slack).filter((r) => r.body.includes("grp-refused"))).toEqual([]);
    expect(at(SINK_URLS.webhook).filter((r) => r.body.includes("grp-refused"))).toEqual([]);
  });

  it("cooldown_deployment: a cooled deployment posts once per deployment and window to Slack and the webhook", async () => {
    fakeSinks();
    const e = alertEnv(config());
    const cooled = (deployment: string) => {
      const ev = failedCall(deployment);
      ev.trace!.attempts[0]!.cooldown_until = Date.now() + 30_000;
      ev.trace!.attempts[0]!.status = 429;
      return ev;
    };
    await consume(e, [cooled("dep-cool-1")]);
    await consume(e, [cooled("dep-cool-1"), cooled("dep-cool-2")]);
    // A failure that did not rest its deployment raises no cooldown alert.
    await consume(e, [failedCall("dep-cool-3")]);
    const slack = at(SINK_URLS.slack)
      .map((r) => r.json<{ text: string }>().text)
      .filter((t) => t.startsWith("Deployment cooled down"));
    expect(slack).toEqual([expect.stringContaining("dep-cool-1 of grp"), expect.stringContaining("dep-cool-2 of grp")]);
    expect(slack[0]).toContain("429");
    const hook = at(SINK_URLS.webhook)
      .map((r) => r.json<Record<string, unknown>>())
      .filter((b) => b.alert_type === "cooldown_deployment");
    expect(hook).toEqual([
      expect.objectContaining({ deployment: "dep-cool-1", model_group: "grp", api_base: "x.test", exception_status: 429, cooldown_until: expect.any(String) }),
      expect.objectContaining({ deployment: "dep-cool-2" }),
    ]);

    // Not in alert_types: not sent.
    fakeSinks();
    const off = alertEnv(config("  alert_types: [budget_alerts]"));
    await consume(off, [cooled("dep-cool-4")]);
    expect(at(SINK_URLS.slack).filter((r) => r.body.includes("dep-cool-4"))).toEqual([]);
  });

  it("alert_types limits what is sent; an unknown alert type is listed as unsupported", async () => {
    fakeSinks();
    const e = alertEnv(config("  alert_types: [budget_alerts, region_outage_alerts]"));
    for (let i = 0; i < 4; i++) await consume(e, [failedCall("dep-out-2")]);
    expect(at(SINK_URLS.slack)).toEqual([]);
    const ready = await worker.fetch(new Request("http://gw.test/health/readiness", { headers: { authorization: "Bearer sk-test-master" } }), e, createExecutionContext());
    expect((await ready.json<{ config: { unsupported: string[] } }>()).config.unsupported).toContain("general_settings.alert_types: 'region_outage_alerts' is not supported yet; not sent");
  });

  it("budget_alerts go to Slack too, once per subject within budget_alert_ttl", async () => {
    fakeSinks();
    const e = alertEnv(config());
    await recordAlert(e, true, "key:abc", "soft_budget_crossed", 1.5, 1);
    await recordAlert(e, true, "key:abc", "soft_budget_crossed", 1.6, 1);
    await recordAlert(e, true, "key:def", "soft_budget_crossed", 2, 1);
    expect(at(SINK_URLS.slack).map((r) => r.json<{ text: string }>().text)).toEqual([expect.stringContaining("key:abc"), expect.stringContaining("key:def")]);
    expect(at(SINK_URLS.webhook).map((r) => r.json<Record<string, unknown>>())).toEqual([
      expect.objectContaining({ alert_type: "budget_alerts", event: "soft_budget_crossed", subject: "key:abc" }),
      expect.objectContaining({ subject: "key:def" }),
    ]);
  });
});
