// The public admin API the UI's pages read (issue 16): live key usage in /key/info, the
// deployments' router state at /health/deployments, team/status/tag filters on /spend/logs, and
// the signed-in caller's role and routes at /ui/api/session.
import { afterEach, describe, expect, it } from "vitest";
import { CSRF_COOKIE, SESSION_COOKIE } from "../../src/http/session";
import { eventually, gw, MASTER, newKey, post, withEnv } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, json, resetUpstreams } from "../helpers/upstream";

const completion = () => chatAnswer({ prompt: 1000, completion: 500 });

const chat = (key: string, extra: Record<string, unknown> = {}) => post("/v1/chat/completions", { model: "priced", messages: [{ role: "user", content: "hi" }], ...extra }, key);

async function expectError(res: Response, status: number, param: string | null) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { message: string; type: string; code: string; param: string | null } };
  expect(body.error.type).toBe("invalid_request_error");
  expect(body.error.param).toBe(param);
  return body.error;
}

afterEach(resetUpstreams);

describe("/key/info live usage", () => {
  it("answers rpm_used and tpm_used of the current minute and the budget used and left", async () => {
    fakeUpstream("https://api.openai.test/v1", completion);
    const k = await newKey({ rpm_limit: 10, tpm_limit: 100_000, max_budget: 1 });
    const before = (await (await gw(`/key/info?key=${k.token}`)).json()) as { info: Record<string, unknown> };
    expect(before.info).toMatchObject({ rpm_used: 0, tpm_used: 0, rpm_remaining: 10, tpm_remaining: 100_000, budget_used: 0, budget_remaining: 1 });
    for (let i = 0; i < 2; i++) expect((await chat(k.key)).status).toBe(200);
    const info = await eventually(async () => {
      const i = (await (await gw(`/key/info?key=${k.key}`)).json()) as { info: Record<string, number> };
      return i.info.tpm_used === 3000 && i.info.budget_used! > 0 ? i.info : undefined;
    });
    // Two calls of 1000 prompt + 500 completion tokens at $0.000001 / $0.000002 per token.
    expect(info).toMatchObject({ rpm_used: 2, rpm_remaining: 8, tpm_used: 3000, tpm_remaining: 97_000 });
    expect(info.budget_used).toBeCloseTo(0.004, 12);
    expect(info.budget_remaining).toBeCloseTo(0.996, 12);
  });

  it("answers null for what the key does not limit (its guard counts only what it enforces)", async () => {
    fakeUpstream("https://api.openai.test/v1", completion);
    const k = await newKey();
    expect((await chat(k.key)).status).toBe(200);
    const { info } = (await (await gw(`/key/info?key=${k.token}`)).json()) as { info: Record<string, unknown> };
    expect(info).toMatchObject({ rpm_used: null, tpm_used: null, rpm_remaining: null, tpm_remaining: null, budget_used: null, budget_remaining: null });
  });

  it("a key reads its own live usage", async () => {
    const k = await newKey({ rpm_limit: 5 });
    const res = await gw("/key/info", { key: k.key });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { info: Record<string, unknown> }).info).toMatchObject({ rpm_used: 0, rpm_remaining: 5 });
  });
});

const dep = (name: string, host: string) => `
  - model_name: ${name}
    litellm_params:
      model: openai/m-${host}
      api_base: https://${host}.test/v1
      api_key: k
    model_info:
      id: ${host}`;
const CONFIG = `
model_list:${dep("duo", "duo-a")}${dep("duo", "duo-b")}${dep("shaky", "shaky-a")}${dep("shaky", "shaky-b")}
  - model_name: no-secret
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/NOT_SET_FOR_STATE
    model_info:
      id: no-secret-1
router_settings:
  num_retries: 0
  cooldown_time: 30
`;

interface State {
  model_id: string;
  state: string;
  cooldown_until: string | null;
  failures_last_minute: number;
  in_flight: number;
  latency_ms: number | null;
  error?: string;
}
const states = async (query = "") => {
  const res = await withEnv({ GATEWAY_CONFIG: CONFIG }, `/health/deployments${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { data: State[]; scope: string };
};
const callWith = (model: string) => withEnv({ GATEWAY_CONFIG: CONFIG }, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model, messages: [{ role: "user", content: "x" }] }) });

describe("/health/deployments", () => {
  it("shows a deployment a 429 rested as cooling down until when, the others healthy, without calling any", async () => {
    let calls = 0;
    fakeUpstream("https://duo-a.test/v1", () => {
      calls++;
      return json({ error: { message: "slow down", type: "rate_limit" } }, 429);
    });
    fakeUpstream("https://duo-b.test/v1", () => {
      calls++;
      return completion();
    });
    // Whichever the router picks first: a 429 from duo-a rests it; a success from duo-b does not.
    for (let i = 0; i < 6 && !(await states("?model=duo")).data.some((s) => s.state === "cooling_down"); i++) await callWith("duo");
    const seen = calls;
    const { data, scope } = await states("?model=duo");
    expect(scope).toBe("shared_cooldowns");
    const a = data.find((s) => s.model_id === "duo-a")!;
    expect(a.state).toBe("cooling_down");
    const until = Date.parse(a.cooldown_until!);
    expect(until).toBeGreaterThan(Date.now());
    expect(until).toBeLessThanOrEqual(Date.now() + 30_000);
    expect(data.map((s) => s.model_id).sort()).toEqual(["duo-a", "duo-b"]);
    expect(calls).toBe(seen);
  });

  it("counts failures that have not rested a deployment, and marks one without its secret unusable", async () => {
    fakeUpstream("https://shaky-a.test/v1", () => json({ error: { message: "boom", type: "server_error" } }, 500));
    fakeUpstream("https://shaky-b.test/v1", () => json({ error: { message: "boom", type: "server_error" } }, 500));
    expect((await callWith("shaky")).status).toBe(500);
    const { data } = await states();
    const shaky = data.filter((s) => s.model_id.startsWith("shaky-"));
    expect(shaky.map((s) => s.failures_last_minute).sort()).toEqual([0, 1]);
    expect(shaky.every((s) => s.state === "healthy" && s.cooldown_until === null && s.in_flight === 0)).toBe(true);
    const broken = data.find((s) => s.model_id === "no-secret-1")!;
    expect(broken.state).toBe("unusable");
    expect(broken.error).toContain("NOT_SET_FOR_STATE");
  });

  it("answers 404 for an unknown model or id, and is for admins and viewers only", async () => {
    expect((await withEnv({ GATEWAY_CONFIG: CONFIG }, "/health/deployments?model=nope")).status).toBe(404);
    expect((await withEnv({ GATEWAY_CONFIG: CONFIG }, "/health/deployments?model_id=nope")).status).toBe(404);
    const k = await newKey();
    const res = await gw("/health/deployments", { key: k.key });
    expect(res.status).toBe(403);
  });
});

describe("/spend/logs filters", () => {
  it("filters by team_id, status and tag", async () => {
    const team = (await (await post("/team/new", { team_alias: "ui-filters" })).json()) as { team_id: string };
    const inTeam = await newKey({ team_id: team.team_id });
    const other = await newKey();
    fakeUpstream("https://api.openai.test/v1", completion);
    expect((await chat(inTeam.key, { metadata: { tags: ["ui-tag-a", "shared"] } })).status).toBe(200);
    expect((await chat(other.key, { metadata: { tags: ["ui-tag-b", "shared"] } })).status).toBe(200);
    fakeUpstream("https://api.openai.test/v1", () => json({ error: { message: "boom", type: "server_error" } }, 500));
    expect((await chat(other.key, { metadata: { tags: ["ui-tag-b"] } })).status).toBe(500);

    type Row = { api_key: string; status: string; metadata: { tags?: string[] } };
    const logs = async (q: string) => (await (await gw(`/spend/logs?${q}`)).json()) as Row[];
    await eventually(async () => (await logs(`api_key=${other.token}`)).length === 2);
    const byTeam = await logs(`team_id=${team.team_id}`);
    expect(byTeam.map((r) => r.api_key)).toEqual([inTeam.token]);
    const failed = await logs(`api_key=${other.token}&status=failure`);
    expect(failed.map((r) => r.status)).toEqual(["failure"]);
    expect((await logs(`api_key=${other.token}&status=success`)).map((r) => r.status)).toEqual(["success"]);
    const tagged = await logs("tag=ui-tag-b");
    expect(tagged).toHaveLength(2);
    expect(tagged.every((r) => r.api_key === other.token && r.metadata.tags?.includes("ui-tag-b"))).toBe(true);
    expect((await logs("tag=shared&status=success")).map((r) => r.api_key).sort()).toEqual([inTeam.token, other.token].sort());
    expect(await logs("tag=no-such-tag")).toEqual([]);
  });

  it("refuses a status other than success or failure, naming it", async () => {
    const err = await expectError(await gw("/spend/logs?status=ok"), 400, "status");
    expect(err.message).toContain("'success' or 'failure'");
  });
});

describe("/ui/api/session", () => {
  async function signIn(): Promise<string> {
    const res = await gw("/ui/api/login", { method: "POST", key: null, body: JSON.stringify({ password: MASTER }), headers: { "content-type": "application/json" } });
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie();
    const pick = (name: string) => cookies.find((c) => c.startsWith(`${name}=`))!.split(";")[0]!;
    return `${pick(SESSION_COOKIE)}; ${pick(CSRF_COOKIE)}`;
  }

  it("answers the session's role and the admin routes it may call", async () => {
    const res = await gw("/ui/api/session", { key: null, headers: { cookie: await signIn() } });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { role: string; routes: string[]; team_admin_of: string[] };
    expect(body.role).toBe("proxy_admin");
    expect(body.routes).toEqual(expect.arrayContaining(["POST /key/update", "POST /key/block", "GET /health/deployments", "POST /team/update"]));
  });

  it("the session may call GET /health (the Models page's test button): one minimal call to the deployment", async () => {
    let body = "";
    fakeUpstream("https://api.openai.test/v1", (_req, sent) => {
      body = sent;
      return completion();
    });
    const res = await gw("/health?model_id=oai-mini", { key: null, headers: { cookie: await signIn() } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { healthy_count: number }).healthy_count).toBe(1);
    expect(JSON.parse(body)).toMatchObject({ model: "gpt-4o-mini", max_tokens: 1 });
  });

  it("a team admin's routes include its team's member routes; its key's own role decides the rest", async () => {
    expect((await post("/user/new", { user_id: "ui-team-admin", user_role: "internal_user" })).status).toBe(200);
    const team = (await (await post("/team/new", { team_alias: "ui-admins", members_with_roles: [{ role: "admin", user_id: "ui-team-admin" }] })).json()) as { team_id: string };
    const k = await newKey({ user_id: "ui-team-admin" });
    const body = (await (await gw("/ui/api/session", { key: k.key })).json()) as { role: string; team_admin_of: string[]; routes: string[] };
    expect(body.role).toBe("internal_user");
    expect(body.team_admin_of).toEqual([team.team_id]);
    expect(body.routes).toEqual(expect.arrayContaining(["POST /team/member_add", "POST /key/generate", "GET /team/info"]));
    expect(body.routes).not.toContain("POST /team/update");
    expect(body.routes).not.toContain("GET /spend/logs");
  });

  it("a viewer's routes hold no writes; without a session it says signed_in: false, with a bad key 401", async () => {
    expect((await post("/user/new", { user_id: "ui-viewer", user_role: "internal_user_viewer" })).status).toBe(200);
    const k = await newKey({ user_id: "ui-viewer" });
    const res = await gw("/ui/api/session", { key: k.key });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { role: string; user_id: string; routes: string[] };
    expect(body).toMatchObject({ role: "internal_user_viewer", user_id: "ui-viewer" });
    expect(body.routes).toContain("GET /key/info");
    expect(body.routes.filter((r) => !r.startsWith("GET "))).toEqual([]);
    const none = await gw("/ui/api/session", { key: null });
    expect(none.status).toBe(200);
    expect(await none.json()).toMatchObject({ signed_in: false, user_role: null });
    expect((await gw("/ui/api/session", { key: "sk-not-a-key-of-this-gateway-0123" })).status).toBe(401);
  });
});
