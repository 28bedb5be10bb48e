import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { MASTER, newKey, post, withEnv } from "../helpers/gateway";
import { fakeUpstream, received, resetUpstreams } from "../helpers/upstream";
import { completion } from "./jwt-helpers";

const config = (general: Record<string, unknown>) => ({
  GATEWAY_CONFIG: stringify({
    model_list: [
      { model_name: "gpt-4o-mini", litellm_params: { model: "openai/gpt-4o-mini", api_base: "https://api.openai.test/v1", api_key: "os.environ/OPENAI_API_KEY" } },
      { model_name: "gpt-4o", litellm_params: { model: "openai/gpt-4o", api_base: "https://api.openai.test/v1", api_key: "os.environ/OPENAI_API_KEY" } },
    ],
    general_settings: general,
  }),
});
const AUTO = config({ custom_auth: "service:AUTH_HOOK" });
const ON = config({ custom_auth: "service:AUTH_HOOK", custom_auth_settings: { mode: "on" } });
const BROKEN = config({ custom_auth: "service:AUTH_HOOK_BROKEN", custom_auth_timeout: 0.3 });

const chat = (cfg: Record<string, unknown>, key: string | null, model = "gpt-4o-mini") =>
  withEnv(cfg, "/v1/chat/completions", { method: "POST", key, body: JSON.stringify({ model, messages: [{ role: "user", content: "x" }] }) });
const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; code: string } }).error;
const upstreamCalls = () => received.filter((r) => r.url.startsWith("https://api.openai.test")).length;

beforeAll(async () => {
  await post("/team/new", { team_id: "hook-team", models: ["gpt-4o-mini", "gpt-4o"] });
});
beforeEach(() => fakeUpstream("https://api.openai.test/v1", () => completion()));
afterEach(resetUpstreams);

describe("custom auth hook (general_settings.custom_auth: service:AUTH_HOOK, the example worker)", () => {
  it("the hook's allow becomes the caller: its team bounds the call; its own models and rpm_limit apply", async () => {
    expect((await chat(AUTO, "hook-team")).status).toBe(200);
    expect((await chat(AUTO, "hook-limited")).status).toBe(200);
    expect((await chat(AUTO, "hook-limited")).status).toBe(200);
    const over = await chat(AUTO, "hook-limited");
    expect(over.status).toBe(429);
    expect((await chat(AUTO, "hook-limited", "gpt-4o")).status).toBe(403);
    expect((await chat(AUTO, "hook-team", "gpt-4o")).status).toBe(200);
    // The team's own limits still apply to every hook caller of the team.
    await post("/team/update", { team_id: "hook-team", blocked: true });
    expect((await chat(AUTO, "hook-team")).status).toBe(401);
    await post("/team/update", { team_id: "hook-team", blocked: false });
  });

  it("deny is a 401 with the hook's message; an unknown team is a 401; admin routes follow the hook's rules", async () => {
    const denied = await chat(AUTO, "who-knows");
    expect(denied.status).toBe(401);
    expect((await errorOf(denied)).message).toMatch(/custom auth hook: unknown token/);
    expect((await errorOf(await chat(AUTO, null))).message).toMatch(/no credential/);
    const noTeam = await chat(AUTO, "hook-no-team");
    expect(noTeam.status).toBe(401);
    expect((await errorOf(noTeam)).message).toMatch(/team 'no-such-team'/);
    expect((await withEnv(AUTO, "/team/list", { key: "hook-team" })).status).toBe(401);
    expect(upstreamCalls()).toBe(0);
  });

  it("mode auto: the master key and stored keys never reach the hook; mode on: stored keys do", async () => {
    const k = await newKey({});
    expect((await chat(AUTO, k.key)).status).toBe(200);
    expect((await chat(AUTO, MASTER)).status).toBe(200);
    expect((await chat(ON, MASTER)).status).toBe(200);
    const r = await chat(ON, k.key);
    expect(r.status).toBe(401);
    expect((await errorOf(r)).message).toMatch(/unknown token/);
    expect((await chat(ON, "hook-team")).status).toBe(200);
  });

  it("rpc:<BINDING> calls the hook Worker's authenticate() (a WorkerEntrypoint) with the same objects", async () => {
    const RPC = config({ custom_auth: "rpc:AUTH_HOOK_RPC" });
    expect((await chat(RPC, "hook-team")).status).toBe(200);
    const denied = await chat(RPC, "who-knows");
    expect(denied.status).toBe(401);
    expect((await errorOf(denied)).message).toMatch(/custom auth hook: unknown token/);
    expect((await chat(RPC, "hook-limited", "gpt-4o")).status).toBe(403);
    // A binding whose Worker has no authenticate() (the fetch-only hook) fails closed.
    const noMethod = await chat(config({ custom_auth: "rpc:AUTH_HOOK" }), "hook-team");
    expect(noMethod.status).toBe(503);
    expect((await errorOf(noMethod)).code).toBe("custom_auth_unavailable");
    expect((await chat(config({ custom_auth: "rpc:NOT_BOUND" }), "hook-team")).status).toBe(503);
  });

  it("an HTTPS endpoint speaks the same JSON; a redirect is no answer", async () => {
    fakeUpstream("https://auth.test/", async (_req, body) => {
      const { api_key, path, headers, model } = JSON.parse(body);
      if (api_key === "redirect") return new Response(null, { status: 302, headers: { location: "https://elsewhere.test/" } });
      return Response.json(api_key === "ok" && path === "/v1/chat/completions" && headers["x-tenant"] === "acme" && model === "gpt-4o-mini" ? { allow: true, team_id: "hook-team" } : { allow: false });
    });
    const cfg = config({ custom_auth: "https://auth.test/check" });
    const call = (key: string) =>
      withEnv(cfg, "/v1/chat/completions", { method: "POST", key, headers: { "x-tenant": "acme" }, body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }) });
    expect((await call("ok")).status).toBe(200);
    expect((await call("nope")).status).toBe(401);
    expect((await call("redirect")).status).toBe(503);
    expect((await chat(config({ custom_auth: "http://auth.test/check" }), "ok")).status).toBe(503);
  });

  it("fails closed: a slow, crashing, garbage or over-reaching answer is a 503, never a pass", async () => {
    for (const key of ["slow", "garbage", "unknown-field", "truthy", "throws", "http-500"]) {
      const res = await chat(BROKEN, key);
      expect(res.status, key).toBe(503);
      expect((await errorOf(res)).code, key).toBe("custom_auth_unavailable");
    }
    expect((await errorOf(await chat(BROKEN, "unknown-field"))).message).toMatch(/max_budget/);
    expect(upstreamCalls()).toBe(0);

    const unbound = config({ custom_auth: "service:NOT_BOUND" });
    expect((await chat(unbound, "hook-team")).status).toBe(503);
    expect((await chat(unbound, MASTER)).status).toBe(200);
    const python = config({ custom_auth: "custom_auth.user_api_key_auth" });
    expect((await errorOf(await chat(python, "hook-team"))).message).toMatch(/Python module path/);
    const badMode = await chat(config({ custom_auth: "service:AUTH_HOOK", custom_auth_settings: { mode: "sometimes" } }), MASTER);
    expect(badMode.status).toBe(503);
  });
});
