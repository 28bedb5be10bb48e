import { afterEach, describe, expect, it } from "vitest";
import { gw, newKey, post } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, resetUpstreams } from "../helpers/upstream";

const MESSAGES = [{ role: "user", content: "x" }];
const completion = (prompt = 10, out = 10) => chatAnswer({ prompt, completion: out });
const chat = (key: string, model = "gpt-4o-mini", extra: Record<string, unknown> = {}) => post("/v1/chat/completions", { model, messages: MESSAGES, ...extra }, key);
const newUser = async (fields: Record<string, unknown> = {}) => {
  const res = await post("/user/new", fields);
  expect(res.status).toBe(200);
  return res.json();
};

afterEach(resetUpstreams);

describe("internal users", () => {
  it("/user/new creates a user and (by default) a key of its own; /user/info lists its keys and teams", async () => {
    const team = await (await post("/team/new", { team_alias: "ops" })).json();
    const u = await newUser({
      user_id: "alice",
      user_email: "alice@example.com",
      user_role: "internal_user",
      models: ["gpt-4o-mini"],
      max_budget: 10,
      budget_duration: "30d",
      rpm_limit: 5,
      teams: [team.team_id],
      metadata: { dept: "x" },
    });
    expect(u).toMatchObject({
      user_id: "alice",
      user_email: "alice@example.com",
      user_role: "internal_user",
      models: ["gpt-4o-mini"],
      max_budget: 10,
      rpm_limit: 5,
      teams: [team.team_id],
      key: expect.stringMatching(/^sk-/),
    });
    expect((await post("/user/new", { user_id: "alice" })).status).toBe(400);
    const none = await newUser({ auto_create_key: false });
    expect(none.key).toBeUndefined();
    const info = await (await gw("/user/info?user_id=alice")).json();
    expect(info).toMatchObject({ user_id: "alice", user_info: { user_email: "alice@example.com", max_budget: 10, teams: [team.team_id] } });
    expect(info.keys.map((k: { token: string }) => k.token)).toEqual([u.token]);
    expect(info.teams).toEqual([expect.objectContaining({ team_id: team.team_id, role: "user" })]);
    // The user's own key reads its user without naming it.
    expect((await (await gw("/user/info", { key: u.key })).json()).user_id).toBe("alice");
  });

  it("/user/update (by id or email), /user/list and /user/delete (its keys are refused from the next call)", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion());
    const u = await newUser({ user_id: "bob", user_email: "bob@example.com" });
    const upd = await post("/user/update", { user_email: "bob@example.com", user_alias: "Bob", rpm_limit: 100 });
    expect(upd.status).toBe(200);
    expect(await upd.json()).toMatchObject({ user_id: "bob", data: { user_alias: "Bob", rpm_limit: 100, user_email: "bob@example.com" } });
    expect((await post("/user/update", { user_id: "nobody", rpm_limit: 1 })).status).toBe(404);
    expect((await post("/user/update", { user_id: "bob", user_role: "superuser" })).status).toBe(400);
    const list = await (await gw("/user/list?page=1&page_size=100")).json();
    expect(list).toMatchObject({ page: 1, page_size: 100, total: expect.any(Number) });
    expect(list.users.map((x: { user_id: string }) => x.user_id)).toContain("bob");
    expect((await gw("/user/list?page_size=0")).status).toBe(400);
    expect((await chat(u.key)).status).toBe(200);
    const del = await post("/user/delete", { user_ids: ["bob"] });
    expect(await del.json()).toMatchObject({ deleted_users: ["bob"], deleted_keys: [u.token] });
    expect((await chat(u.key)).status).toBe(401);
    expect((await gw("/user/info?user_id=bob")).status).toBe(404);
  });

  it("a key with user_id is bounded by its user's models and rate limit, across all the user's keys", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion());
    const u = await newUser({ models: ["gpt-4o-mini"], rpm_limit: 2 });
    const second = await newKey({ user_id: u.user_id });
    const refused = await chat(u.key, "gpt-4o");
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toContain(`user '${u.user_id}'`);
    expect((await chat(u.key)).status).toBe(200);
    expect((await chat(second.key)).status).toBe(200);
    const limited = await chat(second.key);
    expect(limited.status).toBe(429);
    expect((await limited.json()).error.message).toContain(`user '${u.user_id}'`);
    // A change to the user holds from the next call.
    await post("/user/update", { user_id: u.user_id, rpm_limit: 100 });
    expect((await chat(second.key)).status).toBe(200);
  });

  it("a user's budget refuses its keys once spent", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(1000, 1000));
    const u = await newUser({ max_budget: 0.000001 });
    expect((await chat(u.key, "priced", { max_tokens: 10 })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    const over = await chat(u.key, "priced", { max_tokens: 10 });
    expect(over.status).toBe(400);
    expect(await over.json()).toMatchObject({ error: { type: "budget_exceeded", message: expect.stringContaining(`User=${u.user_id} `) } });
  });
});

describe("what each role reaches", () => {
  it("an internal_user manages only its own keys", async () => {
    const me = await newUser({ user_role: "internal_user" });
    const other = await newUser({ user_role: "internal_user" });
    const mine = await (await post("/key/generate", { key_alias: "mine" }, me.key)).json();
    expect(mine.user_id).toBe(me.user_id);
    expect(mine.token_id).toBe(mine.token);
    const forOther = await post("/key/generate", { user_id: other.user_id }, me.key);
    expect(forOther.status).toBe(403);
    expect((await gw(`/key/info?key=${other.token}`, { key: me.key })).status).toBe(403);
    expect((await gw(`/key/info?key=sk-does-not-exist`, { key: me.key })).status).toBe(403);
    expect((await gw(`/key/info?key=${mine.token}`, { key: me.key })).status).toBe(200);
    expect((await post("/key/update", { key: other.token, rpm_limit: 1 }, me.key)).status).toBe(403);
    expect((await post("/key/update", { key: mine.token, blocked: false }, me.key)).status).toBe(403);
    expect((await post("/key/update", { key: mine.token, user_id: other.user_id }, me.key)).status).toBe(403);
    expect((await post("/key/delete", { keys: [other.token] }, me.key)).status).toBe(403);
    const list = await (await gw("/key/list?size=100", { key: me.key })).json();
    expect(list.keys.sort()).toEqual([me.token, mine.token].sort());
    expect((await post("/key/delete", { keys: [mine.token] }, me.key)).status).toBe(200);
    // Users are the proxy admin's business.
    expect((await gw(`/user/info?user_id=${other.user_id}`, { key: me.key })).status).toBe(403);
    expect((await post("/user/update", { user_id: me.user_id, max_budget: 1000 }, me.key)).status).toBe(403);
  });

  it("a viewer reads everything and changes nothing; a demotion holds from the next request", async () => {
    const viewer = await newUser({ user_role: "proxy_admin_viewer" });
    const someone = await newKey();
    expect((await gw(`/key/info?key=${someone.token}`, { key: viewer.key })).status).toBe(200);
    expect((await gw("/key/list", { key: viewer.key })).status).toBe(200);
    expect((await post("/key/generate", {}, viewer.key)).status).toBe(403);
    const admin = await newUser({ user_role: "proxy_admin" });
    expect((await post("/user/new", { auto_create_key: false }, admin.key)).status).toBe(200);
    await post("/user/update", { user_id: admin.user_id, user_role: "internal_user" });
    const after = await post("/user/new", { auto_create_key: false }, admin.key);
    expect(after.status).toBe(403);
    expect((await after.json()).error.code).toBe("route_not_allowed");
  });
});

describe("key types and allowed routes", () => {
  it("llm_api keys call no admin route, management keys no model, read_only keys only reads", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion());
    const llm = await newKey({ key_type: "llm_api" });
    expect((await chat(llm.key)).status).toBe(200);
    expect((await gw("/key/info", { key: llm.key })).status).toBe(403);
    const mgmt = await newKey({ key_type: "management" });
    expect((await chat(mgmt.key)).status).toBe(403);
    expect((await gw("/key/info", { key: mgmt.key })).status).toBe(200);
    const u = await newUser({ user_role: "internal_user" });
    const ro = await (await post("/key/generate", { key_type: "read_only" }, u.key)).json();
    expect(ro.key_type).toBe("read_only");
    expect((await gw("/key/info", { key: ro.key })).status).toBe(200);
    expect((await post("/key/generate", {}, ro.key)).status).toBe(403);
    expect((await chat(ro.key)).status).toBe(403);
    expect((await post("/key/generate", { key_type: "superkey" })).status).toBe(400);
  });

  it("allowed_routes: paths (with or without /v1), prefixes and LiteLLM's groups; a bad entry is a 400 naming the field", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion());
    const k = await newKey({ allowed_routes: ["/chat/completions"] });
    expect(k.allowed_routes).toEqual(["/chat/completions"]);
    expect((await chat(k.key)).status).toBe(200);
    expect((await post("/v1/embeddings", { model: "gpt-4o-mini", input: "x" }, k.key)).status).toBe(403);
    expect((await gw("/key/info", { key: k.key })).status).toBe(403);
    const info = await newKey({ allowed_routes: ["info_routes"] });
    expect((await gw("/key/info", { key: info.key })).status).toBe(200);
    expect((await chat(info.key)).status).toBe(403);
    const prefix = await newKey({ allowed_routes: ["/key/*"] });
    expect((await gw("/key/info", { key: prefix.key })).status).toBe(200);
    const bad = await post("/key/generate", { allowed_routes: ["chat"] });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.param).toBe("allowed_routes[0]");
  });

  it("stores tags and aliases, and refuses an unknown user_id naming it", async () => {
    const k = await newKey({ tags: ["prod", "team-a"], aliases: { "gpt-4": "gpt-4o-mini" } });
    expect(k).toMatchObject({ tags: ["prod", "team-a"], aliases: { "gpt-4": "gpt-4o-mini" }, key_type: "default" });
    const info = await (await gw(`/key/info?key=${k.token}`)).json();
    expect(info.info).toMatchObject({ tags: ["prod", "team-a"], aliases: { "gpt-4": "gpt-4o-mini" } });
    const bad = await post("/key/generate", { user_id: "no-such-user" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.param).toBe("user_id");
  });
});

describe("model access", () => {
  it('models: ["*"] means every model, in calls and on /v1/models', async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion());
    const k = await newKey({ models: ["*"] });
    expect((await chat(k.key, "priced")).status).toBe(200);
    const listed = await (await gw("/v1/models", { key: k.key })).json();
    expect(listed.data.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining(["gpt-4o", "gpt-4o-mini", "priced"]));
  });

  it("/model/info answers a virtual key with the deployments of its own models, secrets masked", async () => {
    const k = await newKey({ models: ["gpt-4o-mini"] });
    const res = await gw("/model/info", { key: k.key });
    expect(res.status).toBe(200);
    const text = await res.text();
    const names = new Set(JSON.parse(text).data.map((d: { model_name: string }) => d.model_name));
    expect([...names]).toEqual(["gpt-4o-mini"]);
    expect(text).not.toContain("sk-upstream-secret");
    const all = await (await gw("/model/info")).json();
    expect(new Set(all.data.map((d: { model_name: string }) => d.model_name)).size).toBeGreaterThan(1);
  });

  it("a user's model list also narrows its keys' /v1/models", async () => {
    const u = await newUser({ models: ["priced"] });
    const listed = await (await gw("/v1/models", { key: u.key })).json();
    expect(listed.data.map((m: { id: string }) => m.id)).toEqual(["priced"]);
  });
});
