import { afterEach, describe, expect, it } from "vitest";
import { MASTER, newKey, withEnv } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, resetUpstreams } from "../helpers/upstream";

/** Issue 15: LiteLLM's cache admin routes, /cache/ping, /cache/delete and /cache/flushall. */
afterEach(() => resetUpstreams());

const UPSTREAM = "https://api.openai.test/v1";
const config = (cacheParams: Record<string, unknown>) => ({
  model_list: [{ model_name: "cached", litellm_params: { model: "openai/gpt-4o-mini", api_base: UPSTREAM, api_key: "os.environ/OPENAI_API_KEY" }, model_info: { id: "cached-a" } }],
  litellm_settings: { cache: true, cache_params: cacheParams },
});
const OFF = { model_list: config({}).model_list };

function answering(): void {
  fakeUpstream(UPSTREAM, () => chatAnswer({ content: "a" }));
}

const on = (cfg: unknown, path: string, init: RequestInit & { key?: string } = {}) => withEnv({ GATEWAY_CONFIG: cfg as unknown as string }, path, init);
const ask = (cfg: unknown, content: string) => on(cfg, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "cached", messages: [{ role: "user", content }] }) });

describe.each(["local", "cloudflare-kv"])("cache admin routes, type %s", (type) => {
  const cfg = config({ type, namespace: `admin-${type}` });

  it("/cache/ping writes, reads and deletes a probe: LiteLLM's healthy answer", async () => {
    const res = await on(cfg, "/cache/ping");
    expect(res.status).toBe(200);
    const body = await res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ status: "healthy", cache_type: type, ping_response: true, set_cache_response: "success" });
    expect(body.litellm_cache_params).toMatchObject({ namespace: `admin-${type}` });
  });

  it("/cache/delete removes the entries named by x-litellm-cache-key", async () => {
    answering();
    const q = `d-${crypto.randomUUID()}`;
    await ask(cfg, q);
    const hit = await ask(cfg, q);
    expect(hit.headers.get("x-cache")).toBe("HIT");
    const key = hit.headers.get("x-litellm-cache-key")!;
    const del = await on(cfg, "/cache/delete", { method: "POST", body: JSON.stringify({ keys: [key] }) });
    expect(await del.json()).toEqual({ status: "success" });
    expect((await ask(cfg, q)).headers.get("x-cache")).toBe("MISS");
  });

  it("/cache/flushall makes every entry of the namespace unreachable", async () => {
    answering();
    const a = `f-${crypto.randomUUID()}`;
    const b = `f-${crypto.randomUUID()}`;
    await ask(cfg, a);
    await ask(cfg, b);
    expect((await ask(cfg, a)).headers.get("x-cache")).toBe("HIT");
    const flushed = await on(cfg, "/cache/flushall", { method: "POST" });
    expect(flushed.status).toBe(200);
    const body = await flushed.json<{ status: string; generation: number }>();
    expect(body.status).toBe("success");
    expect(body.generation).toBeGreaterThan(0);
    expect((await ask(cfg, a)).headers.get("x-cache")).toBe("MISS");
    expect((await ask(cfg, b)).headers.get("x-cache")).toBe("MISS");
    // Stored again under the new generation.
    expect((await ask(cfg, a)).headers.get("x-cache")).toBe("HIT");
  });
});

describe("cache admin routes: refusals", () => {
  it("need a proxy admin; answer 503 when caching is off; refuse bad bodies with 400", async () => {
    const cfg = config({ type: "local" });
    const k = await newKey();
    expect((await on(cfg, "/cache/ping", { key: k.key })).status).toBe(403);
    expect((await on(cfg, "/cache/flushall", { method: "POST", key: k.key })).status).toBe(403);
    expect((await on(OFF, "/cache/ping", { key: MASTER })).status).toBe(503);
    for (const body of [{}, { keys: "x" }, { keys: [] }, { keys: [1] }, { keys: ["a"], extra: 1 }]) {
      const res = await on(cfg, "/cache/delete", { method: "POST", body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await on(cfg, "/cache/flushall", { method: "POST", body: JSON.stringify({ namespace: "../x" }) })).status).toBe(400);
  });
});

describe("a key's cache policy", () => {
  const cfg = config({ type: "local" });

  it("allowed_cache_controls: a key sends only the controls it lists (LiteLLM's 403)", async () => {
    answering();
    const k = await newKey({ allowed_cache_controls: ["no-cache"] });
    const send = (cache: Record<string, unknown>, headers: Record<string, string> = {}) =>
      on(cfg, "/v1/chat/completions", { method: "POST", key: k.key, headers, body: JSON.stringify({ model: "cached", messages: [{ role: "user", content: `p-${crypto.randomUUID()}` }], cache }) });
    expect((await send({ "no-cache": true })).status).toBe(200);
    const denied = await send({ ttl: 60 });
    expect(denied.status).toBe(403);
    expect((await denied.json<{ error: { message: string } }>()).error.message).toBe("Not allowed to set ttl as a cache control. Contact admin to change permissions.");
    expect((await send({}, { "cf-aig-cache-ttl": "60" })).status).toBe(403);
    const info = await (await on(cfg, `/key/info?key=${k.key}`)).json<{ info: { allowed_cache_controls: string[] } }>();
    expect(info.info.allowed_cache_controls).toEqual(["no-cache"]);
    expect((await on(cfg, "/key/generate", { method: "POST", body: JSON.stringify({ allowed_cache_controls: ["everything"] }) })).status).toBe(400);
  });

  it("metadata.cache holds the key's defaults; the request's own controls win", async () => {
    answering();
    const k = await newKey({ metadata: { cache: { "no-store": true } } });
    const q = { model: "cached", messages: [{ role: "user", content: `m-${crypto.randomUUID()}` }] };
    const send = (extra: Record<string, unknown> = {}) => on(cfg, "/v1/chat/completions", { method: "POST", key: k.key, body: JSON.stringify({ ...q, ...extra }) });
    await send();
    expect((await send()).headers.get("x-cache")).toBe("MISS");
    await send({ cache: { "no-store": false } });
    expect((await send()).headers.get("x-cache")).toBe("HIT");
    const bad = await on(cfg, "/key/generate", { method: "POST", body: JSON.stringify({ metadata: { cache: { ttl: "soon" } } }) });
    expect(bad.status).toBe(400);
    expect((await bad.json<{ error: { message: string } }>()).error.message).toContain("metadata.cache.ttl");
  });
});
