import { afterEach, describe, expect, it } from "vitest";
import { env, MASTER, newKey, post, withEnv } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

/**
 * Issue 11, defect 1: every group a call may reach (request fallbacks, configured fallbacks,
 * aliases) passes the same checks as the requested one: key and team model lists, per-model
 * rpm, gateway-wide model budgets. Deployments: test/fixtures/config/fallback-access.yaml.
 */
afterEach(resetUpstreams);

const answer = (host: string) => () =>
  json({
    id: `chatcmpl-${host}`,
    object: "chat.completion",
    created: 1,
    model: host,
    choices: [{ index: 0, message: { role: "assistant", content: host }, finish_reason: "stop" }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  });
const down = () => json({ error: { message: "primary is down", type: "server_error" } }, 500);
const hits = (host: string) => received.filter((r) => r.url.startsWith(`https://${host}.test/`)).length;

function upstreams(): void {
  fakeUpstream("https://fa-primary.test/v1", down);
  fakeUpstream("https://fa-backup.test/v1", answer("fa-backup"));
}

const withConfig = (extra: string) => `${env.GATEWAY_CONFIG as string}\n${extra}\n`;
const ROUTER = withConfig("router_settings:\n  num_retries: 0\n  fallbacks:\n    - fa-primary: [fa-backup]\n  model_group_alias:\n    fa-alias: fa-backup");

const chat = (key: string, body: Record<string, unknown>, config?: string) =>
  withEnv(config ? { GATEWAY_CONFIG: config } : {}, "/v1/chat/completions", {
    method: "POST",
    key,
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], num_retries: 0, ...body }),
  });

describe("fallbacks pass the key's and the team's model lists", () => {
  it("a request fallback the key may not use is never called", async () => {
    upstreams();
    const k = await newKey({ models: ["fa-primary"] });
    const res = await chat(k.key, { model: "fa-primary", fallbacks: ["fa-backup"] });
    expect(res.status).not.toBe(200);
    expect(hits("fa-primary")).toBe(1);
    expect(hits("fa-backup")).toBe(0);
  });

  it("a configured fallback the key may not use is never called", async () => {
    upstreams();
    const k = await newKey({ models: ["fa-primary"] });
    const res = await chat(k.key, { model: "fa-primary" }, ROUTER);
    expect(res.status).not.toBe(200);
    expect(hits("fa-backup")).toBe(0);
  });

  it("a fallback outside the team's models is never called", async () => {
    upstreams();
    const team = await (await post("/team/new", { models: ["fa-primary"] })).json<{ team_id: string }>();
    const k = await newKey({ team_id: team.team_id });
    const res = await chat(k.key, { model: "fa-primary", fallbacks: ["fa-backup"] });
    expect(res.status).not.toBe(200);
    expect(hits("fa-backup")).toBe(0);
  });

  it("a fallback the key may use still answers", async () => {
    upstreams();
    const k = await newKey({ models: ["fa-primary", "fa-backup"] });
    const res = await chat(k.key, { model: "fa-primary", fallbacks: ["fa-backup"] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-model-group") ?? "fa-backup").toBe("fa-backup");
    expect(hits("fa-backup")).toBe(1);
  });
});

describe("fallbacks and aliases pass the per-model limits of the group they reach", () => {
  it("a fallback counts toward the fallback group's model_rpm_limit", async () => {
    upstreams();
    const k = await newKey({ model_rpm_limit: { "fa-backup": 1 } });
    expect((await chat(k.key, { model: "fa-primary", fallbacks: ["fa-backup"] })).status).toBe(200);
    expect(hits("fa-backup")).toBe(1);
    // fa-backup's one request this minute is used: neither a direct call nor a fallback reaches it.
    expect((await chat(k.key, { model: "fa-backup" })).status).toBe(429);
    expect((await chat(k.key, { model: "fa-primary", fallbacks: ["fa-backup"] })).status).not.toBe(200);
    expect(hits("fa-backup")).toBe(1);
  });

  it("a model_group_alias is limited as the group it names", async () => {
    fakeUpstream("https://fa-backup.test/v1", answer("fa-backup"));
    const k = await newKey({ model_rpm_limit: { "fa-backup": 1 } });
    expect((await chat(k.key, { model: "fa-alias" }, ROUTER)).status).toBe(200);
    expect((await chat(k.key, { model: "fa-alias" }, ROUTER)).status).toBe(429);
    expect((await chat(k.key, { model: "fa-backup" }, ROUTER)).status).toBe(429);
    expect(hits("fa-backup")).toBe(1);
  });

  it("a key allowed the alias may call through it; one allowed neither name may not", async () => {
    fakeUpstream("https://fa-backup.test/v1", answer("fa-backup"));
    const byAlias = await newKey({ models: ["fa-alias"] });
    expect((await chat(byAlias.key, { model: "fa-alias" }, ROUTER)).status).toBe(200);
    const other = await newKey({ models: ["fa-primary"] });
    expect((await chat(other.key, { model: "fa-alias" }, ROUTER)).status).toBe(403);
    expect(hits("fa-backup")).toBe(1);
  });

  it("the requested group's model budget is released, not charged, when a fallback answers", async () => {
    upstreams();
    // A fa-backup answer costs 0.0003, more than fa-primary's whole budget: charged there, it would block fa-primary.
    const k = await newKey({ model_max_budget: { "fa-primary": { budget_limit: 0.0002, time_period: "1d" } } });
    expect((await chat(k.key, { model: "fa-primary", fallbacks: ["fa-backup"] })).status).toBe(200);
    fakeUpstream("https://fa-primary.test/v1", answer("fa-primary"));
    const direct = await chat(k.key, { model: "fa-primary" });
    expect(direct.status).toBe(200);
    expect(hits("fa-backup")).toBe(1);
  });

  it("a fallback is refused by the fallback group's gateway-wide budget", async () => {
    upstreams();
    // One fa-backup call (10 + 10 tokens) costs 0.0003; the budget allows one.
    const cfg = withConfig("").replace("litellm_settings:", "litellm_settings:\n  model_max_budget:\n    fa-backup: {budget_limit: 0.0002, time_period: 1d}");
    expect((await chat(MASTER, { model: "fa-primary", fallbacks: ["fa-backup"] }, cfg)).status).toBe(200);
    const second = await chat(MASTER, { model: "fa-primary", fallbacks: ["fa-backup"] }, cfg);
    expect(second.status).not.toBe(200);
    expect(hits("fa-backup")).toBe(1);
  });
});

describe("images/generations validates fallbacks", () => {
  it("answers 400 for fallbacks that are not model names", async () => {
    const res = await withEnv({}, "/v1/images/generations", { method: "POST", body: JSON.stringify({ model: "gpt-4o-mini", prompt: "a cat", fallbacks: [{}] }) });
    expect(res.status).toBe(400);
    expect((await res.json<{ error: { message: string } }>()).error.message).toContain("fallbacks");
  });
});
