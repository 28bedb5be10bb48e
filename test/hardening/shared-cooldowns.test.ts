import { afterEach, describe, expect, it } from "vitest";
import { healthCheckerOf, runBackgroundChecks } from "../../src/gateway/health-checker";
import { forgetHealthSync } from "../../src/gateway/health-sync";
import { isolateHealth } from "../../src/router/health";
import { env, eventually, withEnv } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { runInDurableObject } from "cloudflare:test";

const CONFIG = `
model_list:
  - model_name: sc-chat
    litellm_params: {model: openai/gpt-4o-mini, api_base: https://sc-up.test/v1, api_key: os.environ/OPENAI_API_KEY}
    model_info: {id: sc-up}
  - model_name: sc-chat
    litellm_params: {model: openai/gpt-4o-mini, api_base: https://sc-down.test/v1, api_key: os.environ/OPENAI_API_KEY}
    model_info: {id: sc-down}
  - model_name: sc-other
    litellm_params: {model: openai/gpt-4o-mini, api_base: https://sc-up.test/v1, api_key: os.environ/OPENAI_API_KEY}
    model_info: {id: sc-other}
router_settings: {cooldown_time: 600}
`;

const answer = () => chatAnswer({ content: "hi", id: "chatcmpl-1", model: "gpt-4o-mini" });
const call = (model = "sc-chat") => withEnv({ GATEWAY_CONFIG: CONFIG }, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }) });
const shared = () => healthCheckerOf(env).shared(false);
const hostsHit = () => received.map((r) => new URL(r.url).host);

afterEach(() => resetUpstreams());

describe("cooldowns are shared by every isolate (issue 11)", () => {
  it("a deployment one isolate rests is rested by another after its background pull, without a lookup per call", async () => {
    fakeUpstream("https://sc-up.test/v1/", answer);
    fakeUpstream("https://sc-down.test/v1/", () => json({ error: { message: "slow down", type: "rate_limit_error" } }, 429));
    // Until the router has tried sc-down once (a 429 in a group of two rests it at once).
    await eventually(async () => {
      const res = await call();
      expect(res.status).toBe(200);
      return hostsHit().includes("sc-down.test");
    });
    const published = await eventually(async () => (await shared()).cooldowns.find((c) => c.id === "sc-down"), 15_000);
    expect(published.until).toBeGreaterThan(Date.now() + 500_000);
    expect(published.until).toBe(isolateHealth.coolingUntil("sc-down", Date.now()));

    // Another isolate: its router has never seen sc-down fail.
    isolateHealth.clear();
    forgetHealthSync();
    expect(isolateHealth.coolingUntil("sc-down", Date.now())).toBe(0);
    // Any call pulls the shared record off the response path (the test hook lets every call pull);
    // one to another group, so that this isolate's router never tries sc-down itself.
    await eventually(async () => {
      forgetHealthSync();
      expect((await call("sc-other")).status).toBe(200);
      return isolateHealth.coolingUntil("sc-down", Date.now()) === published.until;
    }, 15_000);
    received.length = 0;
    for (let i = 0; i < 12; i++) expect((await call()).status).toBe(200);
    expect(new Set(hostsHit())).toEqual(new Set(["sc-up.test"]));
  });

  it("a background health run that finds a rested deployment answering clears it for everyone", async () => {
    fakeUpstream("https://sc-up.test/v1/", answer);
    fakeUpstream("https://sc-down.test/v1/", answer);
    const stub = healthCheckerOf(env);
    await stub.cool([{ id: "sc-down", until: Date.now() + 600_000, at: Date.now() - 1000 }]);
    expect((await stub.shared(false)).cooldowns.map((c) => c.id)).toContain("sc-down");
    const config = `${CONFIG}\ngeneral_settings: {background_health_checks: true, health_check_interval: 300}\n`;
    await runInDurableObject(stub, (_o, state) => runBackgroundChecks({ ...env, GATEWAY_CONFIG: config }, state.storage, () => {}));
    expect((await stub.shared(false)).cooldowns.map((c) => c.id)).not.toContain("sc-down");
  });

  it("the record keeps only what still rests, the later end winning", async () => {
    const stub = healthCheckerOf(env);
    const now = Date.now();
    await stub.cool([
      { id: "sc-ended", until: now - 1, at: now - 5000 },
      { id: "sc-long", until: now + 90_000, at: now },
    ]);
    await stub.cool([{ id: "sc-long", until: now + 30_000, at: now }]);
    const list = (await stub.shared(false)).cooldowns;
    expect(list.find((c) => c.id === "sc-ended")).toBeUndefined();
    expect(list.find((c) => c.id === "sc-long")?.until).toBe(now + 90_000);
  });
});
