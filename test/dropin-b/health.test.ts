import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { healthCheckerOf, runBackgroundChecks } from "../../src/gateway/health-checker";
import { forgetHealthSync } from "../../src/gateway/health-sync";
import { env, eventually, gw, newKey, withEnv } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

const SECRET = "sk-upstream-secret-openai-0123456789";

const CONFIG = `
model_list:
  - model_name: hc-chat
    litellm_params: {model: openai/gpt-4o-mini, api_base: https://hc-up.test/v1, api_key: os.environ/OPENAI_API_KEY}
    model_info: {id: hc-up}
  - model_name: hc-chat
    litellm_params: {model: openai/gpt-4o-mini, api_base: https://hc-down.test/v1, api_key: os.environ/OPENAI_API_KEY}
    model_info: {id: hc-down}
  - model_name: hc-embed
    litellm_params: {model: openai/text-embedding-3-small, api_base: https://hc-up.test/v1, api_key: os.environ/OPENAI_API_KEY, rpm: 50}
    model_info: {id: hc-embed, mode: embedding}
  - model_name: hc-claude
    litellm_params: {model: anthropic/claude-3-5-haiku-latest, api_base: https://hc-anthropic.test, api_key: anthropic-literal-key-0123456789}
    model_info: {id: hc-claude}
  - model_name: hc-broken
    litellm_params: {model: openai/gpt-4o, api_key: os.environ/NOT_SET_ANYWHERE}
    model_info: {id: hc-broken}
  - model_name: "hc/*"
    litellm_params: {model: "openai/*", api_base: https://hc-up.test/v1, api_key: os.environ/OPENAI_API_KEY}
    model_info: {id: hc-wild, health_check_model: openai/gpt-4o-mini}
  - model_name: hc-speech
    litellm_params: {model: openai/tts-1, api_base: https://hc-up.test/v1, api_key: os.environ/OPENAI_API_KEY}
    model_info: {id: hc-speech}
`;
const BACKGROUND = `${CONFIG}
general_settings:
  background_health_checks: true
  health_check_interval: 60
`;

const chatAnswer = () =>
  json({
    id: "c",
    object: "chat.completion",
    created: 1,
    model: "m",
    choices: [{ index: 0, message: { role: "assistant", content: "p" }, finish_reason: "length" }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });

function upstreams(downStatus = 500) {
  fakeUpstream("https://hc-up.test/v1/chat/completions", chatAnswer);
  fakeUpstream("https://hc-up.test/v1/audio/speech", () => new Response(new Uint8Array([1, 2, 3]), { headers: { "content-type": "audio/mpeg" } }));
  fakeUpstream("https://hc-up.test/v1/embeddings", () =>
    json({ object: "list", data: [{ object: "embedding", index: 0, embedding: [0.1] }], model: "m", usage: { prompt_tokens: 3, total_tokens: 3 } }),
  );
  // The failing upstream echoes the key it was sent: the answer must never show it.
  fakeUpstream("https://hc-down.test/v1/", (req) => json({ error: { message: `boom, key ${req.headers.get("authorization")}` } }, downStatus));
  fakeUpstream("https://hc-anthropic.test/v1/messages", () =>
    json({ id: "msg", type: "message", role: "assistant", model: "claude", content: [{ type: "text", text: "p" }], stop_reason: "max_tokens", usage: { input_tokens: 1, output_tokens: 1 } }),
  );
}

const health = (query = "", key?: string | null) => withEnv({ GATEWAY_CONFIG: CONFIG }, `/health${query}`, { key });
const byId = (list: Array<Record<string, unknown>>) => Object.fromEntries(list.map((e) => [e.model_id, e]));

afterEach(() => {
  resetUpstreams();
  forgetHealthSync();
});

describe("GET /health: every deployment, in LiteLLM's shape", () => {
  it("calls each deployment with a minimal request of its mode and sorts them healthy / unhealthy, secrets never shown", async () => {
    upstreams();
    const res = await health();
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    expect(Object.keys(body).sort()).toEqual(["healthy_count", "healthy_endpoints", "unhealthy_count", "unhealthy_endpoints"]);
    const healthy = byId(body.healthy_endpoints);
    const unhealthy = byId(body.unhealthy_endpoints);
    expect(Object.keys(healthy).sort()).toEqual(["hc-claude", "hc-embed", "hc-speech", "hc-up", "hc-wild"]);
    expect(Object.keys(unhealthy).sort()).toEqual(["hc-broken", "hc-down"]);
    expect(body.healthy_count).toBe(5);
    expect(body.unhealthy_count).toBe(2);
    expect(healthy["hc-up"]).toEqual({ model: "openai/gpt-4o-mini", model_id: "hc-up", api_base: "https://hc-up.test/v1", mode: "chat" });
    expect(healthy["hc-embed"]).toMatchObject({ mode: "embedding", rpm: 50 });
    expect(unhealthy["hc-down"]!.error).toMatch(/^500: boom/);
    expect(unhealthy["hc-broken"]!.error).toContain("NOT_SET_ANYWHERE");
    expect(healthy["hc-speech"]).toMatchObject({ mode: "audio_speech" });
    const text = JSON.stringify(body);
    for (const secret of [SECRET, "anthropic-literal-key-0123456789", '"api_key"']) expect(text).not.toContain(secret);

    // The probes: chat with max_tokens 1, an embedding for the embedding model, the wildcard with its health_check_model.
    const chats = received.filter((r) => r.url === "https://hc-up.test/v1/chat/completions").map((r) => r.json<any>());
    expect(chats.map((b) => b.max_tokens)).toEqual([1, 1]);
    expect(chats.map((b) => b.model).sort()).toEqual(["gpt-4o-mini", "gpt-4o-mini"]);
    const embed = received.find((r) => r.url.endsWith("/embeddings"))!.json<any>();
    expect(embed).toMatchObject({ model: "text-embedding-3-small", input: ["test from litellm"] });
    expect(embed.max_tokens).toBeUndefined();
    expect(received.find((r) => r.url.startsWith("https://hc-anthropic.test"))!.json<any>().max_tokens).toBe(1);
  });

  it("?model= checks one group (503 when none of it is healthy); ?model_id= one deployment; unknown names are 404", async () => {
    upstreams();
    const group = await (await health("?model=hc-chat")).json<any>();
    expect(group.healthy_endpoints.map((e: any) => e.model_id)).toEqual(["hc-up"]);
    expect(group.unhealthy_endpoints.map((e: any) => e.model_id)).toEqual(["hc-down"]);
    expect(received.every((r) => r.url.includes("hc-up") || r.url.includes("hc-down"))).toBe(true);

    const down = await health("?model_id=hc-down");
    expect(down.status).toBe(503);
    expect((await down.json<any>()).unhealthy_count).toBe(1);

    const unknown = await health("?model=nope");
    expect(unknown.status).toBe(404);
    expect((await unknown.json<any>()).error.code).toBe("model_not_found");
    expect((await health("?model_id=nope")).status).toBe(404);
  });

  it("needs the master key: a virtual key is refused, no key is a 401", async () => {
    const k = await newKey();
    const res = await health("", k.key);
    expect(res.status).toBe(403);
    expect((await res.json<any>()).error.type).toBe("permission_error");
    expect((await health("", null)).status).toBe(401);
    expect(received).toHaveLength(0);
  });

  it("general_settings.health_check_details: false shows only each endpoint's model and id", async () => {
    upstreams();
    const res = await withEnv({ GATEWAY_CONFIG: `${CONFIG}\ngeneral_settings: {health_check_details: false}\n` }, "/health?model=hc-chat");
    const body = await res.json<any>();
    for (const e of [...body.healthy_endpoints, ...body.unhealthy_endpoints]) expect(Object.keys(e).sort()).toEqual(["model", "model_id"]);
  });

  it("health checks are charged to no key and never logged as a call", async () => {
    upstreams();
    await gw("/health?model=gpt-4o-mini"); // warm
    fakeUpstream("https://api.openai.test/v1/chat/completions", chatAnswer);
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM spend_logs").first<{ n: number }>();
    expect((await gw("/health?model=gpt-4o-mini")).status).toBe(200);
    // A real call after it: once its row is written, no row came from the checks.
    const real = await gw("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }) });
    const id = real.headers.get("x-request-id")!;
    await eventually(() => env.DB.prepare("SELECT 1 AS ok FROM spend_logs WHERE request_id = ?").bind(id).first());
    const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM spend_logs").first<{ n: number }>();
    expect(after!.n - before!.n).toBe(1);
  });
});

describe("background health checks feed the router's cooldowns", () => {
  const runIn = (config: string) => runInDurableObject(healthCheckerOf(env), (_instance, state) => runBackgroundChecks({ ...env, GATEWAY_CONFIG: config }, state.storage, () => {}));
  const call = () => withEnv({ GATEWAY_CONFIG: BACKGROUND }, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "hc-chat", messages: [{ role: "user", content: "x" }] }) });
  const hostsHit = () => received.filter((r) => r.url.endsWith("/chat/completions")).map((r) => new URL(r.url).hostname);

  it("off by default: a run does nothing and sets no next run", async () => {
    expect(await runIn(CONFIG)).toBeNull();
  });

  it("an unhealthy deployment rests until the next run; a healthy one is cleared; /health answers the latest run", async () => {
    upstreams(503);
    const next = await runIn(BACKGROUND);
    expect(next).toBeGreaterThan(Date.now() + 55_000);
    received.length = 0;
    // The first call pulls the results (off its response path); the ones after it avoid hc-down.
    await call();
    received.length = 0;
    for (let i = 0; i < 8; i++) expect((await call()).status).toBe(200);
    expect(new Set(hostsHit())).toEqual(new Set(["hc-up.test"]));

    const fromRun = await (await withEnv({ GATEWAY_CONFIG: BACKGROUND }, "/health?model=hc-chat")).json<any>();
    expect(fromRun.unhealthy_endpoints.map((e: any) => e.model_id)).toEqual(["hc-down"]);
    // /health answers from the run without calling anyone; a deployment added since the run is checked now.
    received.length = 0;
    const added = BACKGROUND.replace(
      "model_list:",
      "model_list:\n  - model_name: hc-chat\n    litellm_params: {model: openai/gpt-4o-mini, api_base: https://hc-up.test/v1, api_key: k}\n    model_info: {id: hc-new}",
    );
    const withNew = await (await withEnv({ GATEWAY_CONFIG: added }, "/health?model=hc-chat")).json<any>();
    expect(withNew.healthy_endpoints.map((e: any) => e.model_id).sort()).toEqual(["hc-new", "hc-up"]);
    expect(received.map((r) => r.url)).toEqual(["https://hc-up.test/v1/chat/completions"]);

    // hc-down recovers: the next run clears it, and calls reach it again.
    fakeUpstream("https://hc-down.test/v1/", chatAnswer);
    await runIn(BACKGROUND);
    forgetHealthSync();
    await call();
    received.length = 0;
    for (let i = 0; i < 16; i++) await call();
    expect(new Set(hostsHit())).toEqual(new Set(["hc-up.test", "hc-down.test"]));
  });
});
