import { afterEach, describe, expect, it } from "vitest";
import { gw, newKey, post } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, resetUpstreams } from "../helpers/upstream";

const completion = (prompt = 1000, out = 1000) => chatAnswer({ prompt, completion: out });
const chat = (key: string, model = "priced") => post("/v1/chat/completions", { model, messages: [{ role: "user", content: "x" }], max_tokens: 10 }, key);

afterEach(resetUpstreams);

describe("teams with members", () => {
  it("members_with_roles on /team/new; a team admin manages its team's members and keys, and nothing else", async () => {
    const lead = await (await post("/user/new", { user_id: "lead", user_role: "internal_user_viewer" })).json();
    await post("/user/new", { user_id: "dev", auto_create_key: false });
    const team = await (await post("/team/new", { team_id: "t-members", members_with_roles: [{ role: "admin", user_id: "lead" }] })).json();
    expect(team.members_with_roles).toEqual([{ role: "admin", user_id: "lead" }]);
    const other = await (await post("/team/new", { team_id: "t-other" })).json();

    const added = await post("/team/member_add", { team_id: "t-members", member: { role: "user", user_id: "dev" }, max_budget_in_team: 5 }, lead.key);
    expect(added.status).toBe(200);
    expect(await added.json()).toMatchObject({ team_id: "t-members", updated_team_memberships: [{ user_id: "dev", role: "user", max_budget_in_team: 5 }] });
    // A team admin adds known users only, and only to its own team.
    expect((await post("/team/member_add", { team_id: "t-members", member: { user_id: "stranger" } }, lead.key)).status).toBe(400);
    expect((await post("/team/member_add", { team_id: other.team_id, member: { user_id: "dev" } }, lead.key)).status).toBe(403);

    const devKey = await post("/key/generate", { team_id: "t-members", user_id: "dev" }, lead.key);
    expect(devKey.status).toBe(200);
    expect((await post("/key/generate", { team_id: other.team_id }, lead.key)).status).toBe(403);
    await post("/user/new", { user_id: "outsider", auto_create_key: false });
    expect((await post("/key/generate", { team_id: "t-members", user_id: "outsider" }, lead.key)).status).toBe(403);

    const upd = await post("/team/member_update", { team_id: "t-members", user_id: "dev", role: "admin", max_budget_in_team: 7 }, lead.key);
    expect(await upd.json()).toMatchObject({ team_id: "t-members", user_id: "dev", role: "admin", max_budget_in_team: 7 });
    const info = await (await gw("/team/info?team_id=t-members")).json();
    expect(info.team_info.members_with_roles).toEqual(
      expect.arrayContaining([
        { role: "admin", user_id: "dev" },
        { role: "admin", user_id: "lead" },
      ]),
    );

    // member_delete removes the member and deletes its keys in the team.
    const k = await devKey.json();
    const del = await post("/team/member_delete", { team_id: "t-members", user_id: "dev" }, lead.key);
    expect(await del.json()).toMatchObject({ team_id: "t-members", user_id: "dev", deleted_keys: [k.token] });
    expect((await chat(k.key)).status).toBe(401);
    expect((await post("/team/member_delete", { team_id: "t-members", user_id: "dev" })).status).toBe(404);
  });

  it("/team/info answers a key of the team for its own team only", async () => {
    const a = await (await post("/team/new", {})).json();
    const b = await (await post("/team/new", {})).json();
    const k = await newKey({ team_id: a.team_id });
    const mine = await gw("/team/info", { key: k.key });
    expect(mine.status).toBe(200);
    expect((await mine.json()).team_id).toBe(a.team_id);
    expect((await gw(`/team/info?team_id=${b.team_id}`, { key: k.key })).status).toBe(403);
  });

  it("max_budget_in_team bounds a member's keys in that team", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion());
    await post("/user/new", { user_id: "spender", auto_create_key: false });
    await post("/team/new", { team_id: "t-budget", members_with_roles: [{ role: "user", user_id: "spender" }] });
    await post("/team/member_update", { team_id: "t-budget", user_id: "spender", max_budget_in_team: 0.00005 });
    const k = await newKey({ team_id: "t-budget", user_id: "spender" });
    expect((await chat(k.key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    const over = await chat(k.key);
    expect(over.status).toBe(400);
    expect((await over.json()).error.message).toContain("in Team=t-budget");
  });

  it("/team/model/add and /team/model/delete change the team's models for its keys' next call; model_aliases are stored", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(1, 1));
    const t = await (await post("/team/new", { models: ["gpt-4o-mini"], model_aliases: { fast: "gpt-4o-mini" } })).json();
    expect(t.model_aliases).toEqual({ fast: "gpt-4o-mini" });
    const k = await newKey({ team_id: t.team_id });
    expect((await chat(k.key, "priced")).status).toBe(403);
    expect(await (await post("/team/model/add", { team_id: t.team_id, models: ["priced"] })).json()).toMatchObject({ models: ["gpt-4o-mini", "priced"] });
    expect((await chat(k.key, "priced")).status).toBe(200);
    await post("/team/model/delete", { team_id: t.team_id, models: ["priced"] });
    expect((await chat(k.key, "priced")).status).toBe(403);
    expect((await post("/team/model/delete", { team_id: t.team_id, models: ["gpt-4o-mini"] })).status).toBe(400);
    expect((await post("/team/model/add", { team_id: "nope", models: ["x"] })).status).toBe(404);
  });
});
