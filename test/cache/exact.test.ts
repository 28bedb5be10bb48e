import { afterEach, describe, expect, it } from "vitest";
import { eventually, gw, MASTER, newKey, withEnv } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

afterEach(() => resetUpstreams());

const UPSTREAM = "https://api.openai.test/v1";

function config(cacheParams: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    model_list: [
      {
        model_name: "cached",
        litellm_params: { model: "openai/gpt-4o-mini", api_base: UPSTREAM, api_key: "os.environ/OPENAI_API_KEY", input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 },
        model_info: { id: "cached-a" },
      },
      {
        model_name: "cached",
        litellm_params: { model: "openai/gpt-4o-mini", api_base: UPSTREAM, api_key: "os.environ/OPENAI_API_KEY", input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 },
        model_info: { id: "cached-b" },
      },
      { model_name: "emb", litellm_params: { model: "openai/text-embedding-3-small", api_base: UPSTREAM, api_key: "os.environ/OPENAI_API_KEY" }, model_info: { id: "emb-1" } },
    ],
    litellm_settings: { cache: true, cache_params: cacheParams, ...extra },
  };
}

let n = 0;
function answering(): void {
  fakeUpstream(UPSTREAM, (req) => {
    n += 1;
    if (req.url.endsWith("/embeddings")) return json({ object: "list", data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2] }], model: "e", usage: { prompt_tokens: 2, total_tokens: 2 } });
    return json({
      id: `c${n}`,
      object: "chat.completion",
      created: 1,
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: `answer ${n}` }, finish_reason: "stop" }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    });
  });
}

/** A question no other test asks (KV and the isolate's memory outlive a test). */
const question = (extra: Record<string, unknown> = {}) => ({ model: "cached", messages: [{ role: "user", content: `q-${crypto.randomUUID()}` }], ...extra });

function call(cfg: unknown, body: unknown, opts: { key?: string; headers?: Record<string, string> } = {}) {
  return withEnv({ GATEWAY_CONFIG: cfg as Record<string, unknown> }, "/v1/chat/completions", { method: "POST", body: JSON.stringify(body), key: opts.key ?? MASTER, headers: opts.headers });
}

const upstreamCalls = () => received.filter((r) => r.url.startsWith(UPSTREAM)).length;

describe.each(["cloudflare-kv", "cloudflare-cache", "local"])("exact cache, type %s", (type) => {
  it("answers a repeated request from the cache: no second upstream call, cost 0, x-cache HIT with the key", async () => {
    answering();
    const cfg = config({ type });
    const q = question({ temperature: 0.2 });
    const first = await call(cfg, q);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("MISS");
    expect(first.headers.get("cf-aig-cache-status")).toBe("MISS");
    expect(Number(first.headers.get("x-gateway-cost"))).toBeGreaterThan(0);
    const firstBody = await first.json();
    // Field order and gateway-only fields do not change the key.
    const again = await call(cfg, { temperature: 0.2, user: "someone", metadata: { tags: ["x"] }, messages: q.messages, model: "cached" });
    expect(again.status).toBe(200);
    expect(again.headers.get("x-cache")).toBe("HIT");
    expect(again.headers.get("cf-aig-cache-status")).toBe("HIT");
    expect(again.headers.get("x-litellm-cache-key")).toMatch(/^switchyard:master:[0-9a-f]{64}$/);
    expect(again.headers.get("x-gateway-cost")).toBe("0");
    expect(await again.json()).toEqual(firstBody);
    expect(upstreamCalls()).toBe(1);
  });

  it("a different temperature is a miss", async () => {
    answering();
    const cfg = config({ type });
    const q = question({ temperature: 0.2 });
    await call(cfg, q);
    const other = await call(cfg, { ...q, temperature: 0.9 });
    expect(other.headers.get("x-cache")).toBe("MISS");
    expect(upstreamCalls()).toBe(2);
  });
});

describe("exact cache: scope", () => {
  it("scope key (the default): another key does not see the first key's entry", async () => {
    answering();
    const cfg = config({ type: "local" });
    const [a, b] = [await newKey(), await newKey()];
    const q = question();
    await call(cfg, q, { key: a.key });
    expect((await call(cfg, q, { key: a.key })).headers.get("x-cache")).toBe("HIT");
    const other = await call(cfg, q, { key: b.key });
    expect(other.headers.get("x-cache")).toBe("MISS");
    expect(upstreamCalls()).toBe(2);
  });

  it("scope global: another key is answered from the first key's entry", async () => {
    answering();
    const cfg = config({ type: "cloudflare-kv", scope: "global" });
    const [a, b] = [await newKey(), await newKey()];
    const q = question();
    await call(cfg, q, { key: a.key });
    const other = await call(cfg, q, { key: b.key });
    expect(other.headers.get("x-cache")).toBe("HIT");
    expect(other.headers.get("x-litellm-cache-key")).toMatch(/^switchyard:global:/);
    expect(upstreamCalls()).toBe(1);
  });

  it("scope team: two keys of one team share, a key of another team does not", async () => {
    answering();
    const cfg = config({ type: "local", scope: "team" });
    const t1 = `team-${crypto.randomUUID()}`;
    const t2 = `team-${crypto.randomUUID()}`;
    for (const t of [t1, t2]) expect((await gw("/team/new", { method: "POST", body: JSON.stringify({ team_id: t }) })).status).toBe(200);
    const [a, b, c] = [await newKey({ team_id: t1 }), await newKey({ team_id: t1 }), await newKey({ team_id: t2 })];
    const q = question();
    await call(cfg, q, { key: a.key });
    expect((await call(cfg, q, { key: b.key })).headers.get("x-cache")).toBe("HIT");
    expect((await call(cfg, q, { key: c.key })).headers.get("x-cache")).toBe("MISS");
    expect(upstreamCalls()).toBe(2);
  });
});

describe("exact cache: per-request controls", () => {
  it("cache.no-cache skips the lookup (and stores the fresh answer); cache.no-store keeps the answer out", async () => {
    answering();
    const cfg = config({ type: "local" });
    const q = question();
    await call(cfg, q);
    const fresh = await call(cfg, { ...q, cache: { "no-cache": true } });
    expect(fresh.headers.get("x-cache")).toBe("MISS");
    expect((await fresh.json()).choices[0].message.content).toMatch(/answer/);
    expect(upstreamCalls()).toBe(2);
    // The no-cache answer replaced the entry.
    const hit = await call(cfg, q);
    expect(hit.headers.get("x-cache")).toBe("HIT");
    const q2 = question();
    await call(cfg, { ...q2, cache: { "no-store": true } });
    expect((await call(cfg, q2)).headers.get("x-cache")).toBe("MISS");
    expect(upstreamCalls()).toBe(4);
  });

  it("cache.ttl and cf-aig-cache-ttl: 0 stores nothing; s-maxage refuses an entry older than asked", async () => {
    answering();
    const cfg = config({ type: "local" });
    const q = question();
    await call(cfg, { ...q, cache: { ttl: 0 } });
    expect((await call(cfg, q, { headers: { "cf-aig-cache-ttl": "0" } })).headers.get("x-cache")).toBe("MISS");
    expect((await call(cfg, q)).headers.get("x-cache")).toBe("MISS");
    expect((await call(cfg, q)).headers.get("x-cache")).toBe("HIT");
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call(cfg, { ...q, cache: { "s-maxage": 1 } })).headers.get("x-cache")).toBe("MISS");
    expect((await call(cfg, { ...q, cache: { "s-maxage": 60 } })).headers.get("x-cache")).toBe("HIT");
  });

  it("an entry past its ttl is a miss", async () => {
    answering();
    const cfg = config({ type: "local", ttl: 1 });
    const q = question();
    await call(cfg, q);
    expect((await call(cfg, q)).headers.get("x-cache")).toBe("HIT");
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call(cfg, q)).headers.get("x-cache")).toBe("MISS");
  });

  it("cf-aig-skip-cache neither reads nor stores; cf-aig-cache-key names the entry", async () => {
    answering();
    const cfg = config({ type: "cloudflare-kv" });
    const q = question();
    await call(cfg, q);
    const skipped = await call(cfg, q, { headers: { "cf-aig-skip-cache": "true" } });
    expect(skipped.headers.get("cf-aig-cache-status")).toBe("BYPASS");
    expect(skipped.headers.get("x-cache")).toBe("MISS");
    expect(upstreamCalls()).toBe(2);
    const q2 = question();
    await call(cfg, q2, { headers: { "cf-aig-skip-cache": "true" } });
    expect((await call(cfg, q2)).headers.get("x-cache")).toBe("MISS");
    const custom = `k-${crypto.randomUUID()}`;
    await call(cfg, question(), { headers: { "cf-aig-cache-key": custom } });
    const byKey = await call(cfg, question(), { headers: { "cf-aig-cache-key": custom } });
    expect(byKey.headers.get("x-cache")).toBe("HIT");
  });

  it("cache.namespace separates entries", async () => {
    answering();
    const cfg = config({ type: "local" });
    const q = question();
    await call(cfg, { ...q, cache: { namespace: "one" } });
    const other = await call(cfg, { ...q, cache: { namespace: "two" } });
    expect(other.headers.get("x-cache")).toBe("MISS");
    const same = await call(cfg, { ...q, cache: { namespace: "one" } });
    expect(same.headers.get("x-litellm-cache-key")).toMatch(/^one:master:/);
  });

  it("mode default_off caches only requests with cache.use-cache", async () => {
    answering();
    const cfg = config({ type: "local", mode: "default_off" });
    const q = question();
    await call(cfg, q);
    expect((await call(cfg, q)).headers.get("x-cache")).toBe("MISS");
    await call(cfg, { ...q, cache: { "use-cache": true } });
    expect((await call(cfg, { ...q, cache: { "use-cache": true } })).headers.get("x-cache")).toBe("HIT");
    expect(upstreamCalls()).toBe(3);
  });

  it("bad control values are a 400 naming the field, and nothing is called", async () => {
    answering();
    const cfg = config({ type: "local" });
    const cases: Array<[unknown, Record<string, string> | undefined, string]> = [
      [{ ...question(), cache: { ttl: "soon" } }, undefined, "cache.ttl"],
      [{ ...question(), cache: { "no-cache": "yes" } }, undefined, "cache.no-cache"],
      [{ ...question(), cache: { nocache: true } }, undefined, "cache"],
      [{ ...question(), cache: "off" }, undefined, "cache"],
      [question(), { "cf-aig-cache-ttl": "-5" }, "cf-aig-cache-ttl"],
      [question(), { "cf-aig-skip-cache": "maybe" }, "cf-aig-skip-cache"],
    ];
    for (const [body, headers, param] of cases) {
      const res = await call(cfg, body, { headers });
      expect(res.status, param).toBe(400);
      expect((await res.json()).error.param).toBe(param);
    }
    expect(upstreamCalls()).toBe(0);
  });

  it("the cache field never reaches the upstream, with or without caching on", async () => {
    answering();
    await call(config({ type: "local" }), { ...question(), cache: { "no-store": true } });
    await call({ ...config(), litellm_settings: {} }, { ...question(), cache: { "no-store": true } });
    expect(upstreamCalls()).toBe(2);
    for (const r of received) expect(r.json()).not.toHaveProperty("cache");
  });
});

describe("exact cache: what is not cached", () => {
  it("embeddings are cached; a route left out of supported_call_types is not", async () => {
    answering();
    const emb = { model: "emb", input: `e-${crypto.randomUUID()}` };
    const post = (cfg: unknown) => withEnv({ GATEWAY_CONFIG: cfg as Record<string, unknown> }, "/v1/embeddings", { method: "POST", body: JSON.stringify(emb) });
    const on = config({ type: "local" });
    await post(on);
    expect((await post(on)).headers.get("x-cache")).toBe("HIT");
    const chatOnly = config({ type: "local", supported_call_types: ["acompletion"] });
    const e2 = { model: "emb", input: `e-${crypto.randomUUID()}` };
    const post2 = () => withEnv({ GATEWAY_CONFIG: chatOnly as unknown as Record<string, unknown> }, "/v1/embeddings", { method: "POST", body: JSON.stringify(e2) });
    await post2();
    expect((await post2()).headers.get("x-cache")).toBeNull();
    expect(upstreamCalls()).toBe(3);
  });

  it("a hit still counts against the key's rpm, and its spend row says cache_hit with spend 0", async () => {
    answering();
    const cfg = config({ type: "local" });
    const k = await newKey({ rpm_limit: 2 });
    const q = question();
    expect((await call(cfg, q, { key: k.key })).status).toBe(200);
    const hit = await call(cfg, q, { key: k.key });
    expect(hit.headers.get("x-cache")).toBe("HIT");
    const hitId = hit.headers.get("x-request-id")!;
    expect((await call(cfg, q, { key: k.key })).status).toBe(429);
    const row = await eventually(async () => {
      const rows = (await (await gw(`/spend/logs?api_key=${k.token}`)).json()) as Array<{ request_id: string; spend: number; metadata: Record<string, unknown> }>;
      return rows.find((r) => r.request_id === hitId);
    });
    expect(row.spend).toBe(0);
    expect(row.metadata.cache_hit).toBe(true);
  });
});

describe("exact cache: model groups", () => {
  it("an alias shares its group's entries; two models of one wildcard group do not share", async () => {
    answering();
    const cfg = {
      ...config({ type: "local" }),
      model_list: [...config().model_list, { model_name: "openai/*", litellm_params: { model: "openai/*", api_base: UPSTREAM, api_key: "os.environ/OPENAI_API_KEY" }, model_info: { id: "wild" } }],
      router_settings: { model_group_alias: { nickname: "cached" } },
    };
    const q = question();
    await call(cfg, q);
    expect((await call(cfg, { ...q, model: "nickname" })).headers.get("x-cache")).toBe("HIT");
    await call(cfg, { ...q, model: "openai/gpt-4o" });
    expect((await call(cfg, { ...q, model: "openai/gpt-4o" })).headers.get("x-cache")).toBe("HIT");
    expect((await call(cfg, { ...q, model: "openai/gpt-4o-mini" })).headers.get("x-cache")).toBe("MISS");
    expect(upstreamCalls()).toBe(3);
  });
});

describe("exact cache: config", () => {
  it("lists unsupported types at readiness, naming the Cloudflare alternative, and caches nothing", async () => {
    const cfg = config({ type: "redis", host: "localhost" });
    const ready = await withEnv({ GATEWAY_CONFIG: cfg as unknown as Record<string, unknown> }, "/health/readiness");
    const body = await ready.json();
    const unsupported = JSON.stringify(body);
    expect(unsupported).toContain("cache_params.type: 'redis' is not supported (use type: cloudflare-kv");
    const semantic = await withEnv({ GATEWAY_CONFIG: config({ type: "qdrant-semantic" }) as unknown as Record<string, unknown> }, "/health/readiness");
    expect(JSON.stringify(await semantic.json())).toContain("'qdrant-semantic' is not supported (use type: semantic with vector_index");
    answering();
    const q = question();
    await call(cfg, q);
    expect((await call(cfg, q)).headers.get("x-cache")).toBeNull();
  });

  it("readiness says where cloudflare-cache writes take effect", async () => {
    const ready = await withEnv({ GATEWAY_CONFIG: config({ type: "cloudflare-cache" }) as unknown as Record<string, unknown> }, "/health/readiness");
    expect(JSON.stringify(await ready.json())).toContain("only for a Worker on a custom domain");
  });

  it("readiness answers the cache type, publicly (LiteLLM's `cache`), or null when caching is off", async () => {
    const cacheOf = async (cfg: Record<string, unknown>) => {
      const res = await withEnv({ GATEWAY_CONFIG: cfg as unknown as Record<string, unknown> }, "/health/readiness", { key: null });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(["cache", "db", "status", "version"]);
      return body.cache;
    };
    // cache: true without a type: the KV cache, as the cache settings default it.
    expect(await cacheOf(config())).toBe("cloudflare-kv");
    expect(await cacheOf(config({ type: "local" }))).toBe("local");
    expect(await cacheOf(config({ type: "cloudflare-kv" }))).toBe("cloudflare-kv");
    expect(await cacheOf(config({ type: "cloudflare-cache" }))).toBe("cloudflare-cache");
    expect(await cacheOf(config({ type: "semantic", embedding_model: "emb" }))).toBe("semantic");
    expect(await cacheOf({ ...config(), litellm_settings: {} })).toBeNull();
    // Unsupported (redis) caches nothing: no cache type.
    expect(await cacheOf(config({ type: "redis", host: "localhost" }))).toBeNull();
  });

  it("a bad cache_params value is a config error naming it", async () => {
    const res = await call(config({ ttl: -1 }), question());
    expect(res.status).toBe(503);
    expect((await res.json()).error.message).toContain("litellm_settings.cache_params.ttl");
  });
});
