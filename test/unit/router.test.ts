import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve";
import { GatewayError } from "../../src/http/errors";
import { execute, RouteFailure } from "../../src/router/execute";
import { memoryHealth, MinuteCount, shouldCool } from "../../src/router/health";

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

function config(yaml: string) {
  const c = resolveConfig(yaml, { MASTER_KEY: "sk-unit-master-key-0123456789abcdef" });
  if (c.error) throw new Error(c.error);
  return c;
}

const two = config(`
model_list:
  - model_name: m
    litellm_params: {model: openai/a, api_base: "https://a.test/v1", api_key: k}
    model_info: {id: dep-a}
  - model_name: m
    litellm_params: {model: openai/b, api_base: "https://b.test/v1", api_key: k}
    model_info: {id: dep-b}
  - model_name: backup
    litellm_params: {model: openai/c, api_base: "https://c.test/v1", api_key: k}
    model_info: {id: dep-c}
router_settings: {num_retries: 2, allowed_fails: 1, cooldown_time: 30}
`);

const upstream503 = () => new GatewayError(503, "overloaded", "upstream_error", "upstream_error");
const upstream400 = () => new GatewayError(400, "bad", "invalid_request_error", "invalid_request_error");

/** A clock the test moves, and a sleep that only moves it. */
function clock() {
  let now = T0;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
    advance: (ms: number) => (now += ms),
  };
}

describe("router (injected time)", () => {
  it("tries another healthy deployment at once after a retryable failure", async () => {
    const t = clock();
    const tried: string[] = [];
    const routed = await execute({ config: two, requested: "m", health: memoryHealth(), now: t.now, sleep: t.sleep }, async (d) => {
      tried.push(d.id);
      if (tried.length === 1) throw upstream503();
      return "ok";
    });
    expect(routed.value).toBe("ok");
    expect(new Set(tried).size).toBe(2);
    expect(t.slept).toEqual([]);
    expect(routed.attempts.map((a) => a.status)).toEqual([503, 200]);
  });

  it("an attempt that rested its deployment says until when (cooldown_until), for the cooldown observers", async () => {
    const t = clock();
    const health = memoryHealth();
    const tried: string[] = [];
    const routed = await execute({ config: two, requested: "m", health, now: t.now, sleep: t.sleep }, async (d) => {
      tried.push(d.id);
      if (tried.length === 1) throw new GatewayError(429, "slow down", "rate_limit_error", "rate_limited");
      return "ok";
    });
    const [failed, ok] = routed.attempts;
    expect(failed?.status).toBe(429);
    expect(failed?.cooldown_until).toBe(health.coolingUntil(failed?.deployment ?? "", t.now()));
    expect(failed?.cooldown_until).toBeGreaterThan(t.now());
    expect(ok?.cooldown_until).toBeUndefined();
  });

  it("a lone deployment that answers 401 (the gateway's credentials are wrong) rests, as LiteLLM's rule says", async () => {
    const t = clock();
    const cfg = config(`
model_list:
  - model_name: single
    litellm_params: {model: openai/a, api_base: "https://a.test/v1", api_key: k}
    model_info: {id: only}
`);
    const health = memoryHealth();
    const failed = await execute({ config: cfg, requested: "single", health, now: t.now, sleep: t.sleep }, async () => {
      throw new GatewayError(401, "bad key", "authentication_error", "invalid_api_key");
    }).catch((e) => e);
    expect(failed).toBeInstanceOf(RouteFailure);
    expect(health.coolingUntil("only", t.now())).toBeGreaterThan(t.now());
  });

  it("retries the same deployment after a backoff once every deployment was tried, then falls back", async () => {
    const t = clock();
    const cfg = config(`
model_list:
  - model_name: single
    litellm_params: {model: openai/a, api_base: "https://a.test/v1", api_key: k}
    model_info: {id: only}
  - model_name: backup
    litellm_params: {model: openai/c, api_base: "https://c.test/v1", api_key: k}
    model_info: {id: dep-c}
router_settings: {num_retries: 2, fallbacks: [{single: [backup]}], allowed_fails: 100}
`);
    const tried: string[] = [];
    const routed = await execute({ config: cfg, requested: "single", health: memoryHealth(), now: t.now, sleep: t.sleep }, async (d) => {
      tried.push(d.id);
      if (d.id === "only") throw upstream503();
      return d.id;
    });
    expect(tried).toEqual(["only", "only", "only", "dep-c"]);
    expect(t.slept.length).toBe(2);
    expect(routed).toMatchObject({ value: "dep-c", group: "backup", fallbacks: 1 });
  });

  it("a client error is final: no retry, no fallback, no cooldown", async () => {
    const t = clock();
    const health = memoryHealth();
    let calls = 0;
    const failed = await execute({ config: two, requested: "m", requestFallbacks: ["backup"], health, now: t.now, sleep: t.sleep }, async () => {
      calls++;
      throw upstream400();
    }).catch((e) => e);
    expect(failed).toBeInstanceOf(RouteFailure);
    expect(calls).toBe(1);
    expect(health.coolingUntil("dep-a", t.now()) + health.coolingUntil("dep-b", t.now())).toBe(0);
  });

  it("cools a deployment past allowed_fails for cooldown_time, then uses it again", async () => {
    const t = clock();
    const health = memoryHealth();
    expect(health.failure("dep-a", { status: 503, allowedFails: 1, cooldownMs: 30_000, groupSize: 2 }, t.now())).toBe(0);
    expect(health.coolingUntil("dep-a", t.now())).toBe(0);
    expect(health.failure("dep-a", { status: 503, allowedFails: 1, cooldownMs: 30_000, groupSize: 2 }, t.now())).toBe(T0 + 30_000);
    expect(health.coolingUntil("dep-a", t.now())).toBe(T0 + 30_000);
    const used: string[] = [];
    await execute({ config: two, requested: "m", health, now: t.now, sleep: t.sleep }, async (d) => void used.push(d.id));
    expect(used).toEqual(["dep-b"]);
    t.advance(30_001);
    expect(health.coolingUntil("dep-a", t.now())).toBe(0);
  });

  it("LiteLLM's cooldown rule: a lone deployment rests only for 401/404; several rest at once on 401/404/408/429, else past half of at least 5 calls", () => {
    const f = (status: number, groupSize: number, allowedFails?: number) => ({ status, groupSize, allowedFails, cooldownMs: 5_000 });
    // A lone deployment: transient errors never rest it, whatever their number.
    for (const status of [408, 429, 500, 503]) expect(shouldCool(f(status, 1), 50, 0)).toBe(false);
    for (const status of [401, 404]) expect(shouldCool(f(status, 1), 1, 0)).toBe(true);
    // Several: at once on 401/404/408/429.
    for (const status of [401, 404, 408, 429]) expect(shouldCool(f(status, 2), 1, 100)).toBe(true);
    // Else by the failure rate, from 5 calls on.
    expect(shouldCool(f(503, 3), 4, 0)).toBe(false);
    expect(shouldCool(f(503, 3), 3, 2)).toBe(true);
    expect(shouldCool(f(503, 3), 2, 3)).toBe(false);
    expect(shouldCool(f(503, 3), 3, 3)).toBe(false);
    // allowed_fails, when set, rests past that many failures in the minute.
    expect(shouldCool(f(500, 2, 1), 2, 100)).toBe(true);
    expect(shouldCool(f(500, 2, 1), 1, 0)).toBe(false);
  });

  it("a flaky lone deployment with retries keeps answering: it is never rested for its 503s", async () => {
    const t = clock();
    const health = memoryHealth();
    const one = config(`
model_list:
  - model_name: solo
    litellm_params: {model: openai/x, api_base: "https://x.test/v1", api_key: k}
    model_info: {id: solo-1}
router_settings: {num_retries: 2}
`);
    let n = 0;
    for (let call = 0; call < 10; call++) {
      // Every call fails once, then succeeds on its retry.
      const routed = await execute({ config: one, requested: "solo", health, now: t.now, sleep: t.sleep }, async () => {
        if (n++ % 2 === 0) throw upstream503();
        return "ok";
      });
      expect(routed.value).toBe("ok");
    }
    expect(health.coolingUntil("solo-1", t.now())).toBe(0);
  });

  it("stops retrying and falling back once the client has gone away", async () => {
    const t = clock();
    const controller = new AbortController();
    let calls = 0;
    const failed = await execute({ config: two, requested: "m", requestFallbacks: ["backup"], health: memoryHealth(), now: t.now, sleep: t.sleep, signal: controller.signal }, async () => {
      calls++;
      controller.abort();
      throw upstream503();
    }).catch((e) => e);
    expect(failed).toBeInstanceOf(RouteFailure);
    expect(calls).toBe(1);
  });

  it("reports every attempt to the observer as it ends", async () => {
    const t = clock();
    const seen: number[] = [];
    let n = 0;
    await execute({ config: two, requested: "m", health: memoryHealth(), now: t.now, sleep: t.sleep, onAttempt: (r) => seen.push(r.status) }, async () => {
      if (n++ === 0) throw upstream503();
      return 1;
    });
    expect(seen).toEqual([503, 200]);
  });

  it("MinuteCount: counts the last minute by the second, whatever the traffic", () => {
    const c = new MinuteCount();
    for (let i = 0; i < 5000; i++) c.add(T0 + i); // 5,000 events within 5 s
    expect(c.total(T0 + 5_000)).toBe(5000);
    c.add(T0 + 30_000);
    expect(c.total(T0 + 30_000)).toBe(5001);
    // A minute on, the first seconds have left; the one at +30 s has not.
    expect(c.total(T0 + 65_000)).toBe(1);
    expect(c.total(T0 + 91_000)).toBe(0);
    c.add(T0 + 91_000);
    c.reset();
    expect(c.total(T0 + 91_000)).toBe(0);
  });
});
