import { afterEach, describe, expect, it } from "vitest";
import { guardOf } from "../../src/limits/guard-client";
import { forgetKey } from "../../src/limits/key-cache";
import { memberSubject, orgSubject } from "../../src/limits/subjects";
import { env, gw, newKey, post } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, resetUpstreams } from "../helpers/upstream";

const completion = (prompt = 1000, out = 1000) => chatAnswer({ prompt, completion: out });
const chat = (key: string, model = "priced") => post("/v1/chat/completions", { model, messages: [{ role: "user", content: "x" }], max_tokens: 10 }, key);

afterEach(resetUpstreams);

describe("/organization/delete", () => {
  it("refuses the calls of its teams' keys from the next one on, cached in the isolate or read again, as LiteLLM deletes the teams", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(1, 1));
    await post("/organization/new", { organization_id: "org-gone", max_budget: 100 });
    await post("/team/new", { team_id: "org-gone-team", organization_id: "org-gone" });
    const k = await newKey({ team_id: "org-gone-team" });
    // The first call caches the key (with its team's organization) in this isolate.
    expect((await chat(k.key, "gpt-4o-mini")).status).toBe(200);

    const del = await gw("/organization/delete", { method: "DELETE", body: JSON.stringify({ organization_ids: ["org-gone"] }) });
    expect(await del.json()).toEqual({ deleted_organizations: ["org-gone"] });
    const cached = await chat(k.key, "gpt-4o-mini");
    expect(cached.status).toBe(401);
    forgetKey(k.token);
    expect((await chat(k.key, "gpt-4o-mini")).status).toBe(401);
    // The organization's own guard refuses whoever still names it (a principal cached elsewhere).
    expect(await guardOf(env, orgSubject("org-gone")).check()).toMatchObject({ ok: false, reason: "revoked" });
    expect((await gw("/team/info?team_id=org-gone-team")).status).toBe(404);

    // An organization created again under the same id starts afresh.
    await post("/organization/new", { organization_id: "org-gone" });
    await post("/team/new", { team_id: "org-back-team", organization_id: "org-gone" });
    const again = await newKey({ team_id: "org-back-team" });
    expect((await chat(again.key, "gpt-4o-mini")).status).toBe(200);
  });
});

describe("/team/member_delete", () => {
  it("the removed member's budget in the team goes with the membership, as LiteLLM deletes the membership and its budget", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion());
    await post("/user/new", { user_id: "leaver", auto_create_key: false });
    await post("/team/new", { team_id: "t-leave", members_with_roles: [{ role: "user", user_id: "leaver" }] });
    await post("/team/member_update", { team_id: "t-leave", user_id: "leaver", max_budget_in_team: 0.00005 });
    const k = await newKey({ team_id: "t-leave", user_id: "leaver" });
    expect((await chat(k.key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    const over = await chat(k.key);
    expect(over.status).toBe(400);
    expect((await over.json()).error.message).toContain("in Team=t-leave");

    const del = await post("/team/member_delete", { team_id: "t-leave", user_id: "leaver" });
    expect(await del.json()).toMatchObject({ deleted_keys: [k.token] });
    expect((await chat(k.key)).status).toBe(401);
    // What the member spent in the team goes too (a member added back starts from nothing).
    expect((await guardOf(env, memberSubject("t-leave", "leaver")).view()).spend).toBe(0);
    // A key an admin gives the user in that team later is bounded by the team, not by the old membership.
    const later = await newKey({ team_id: "t-leave", user_id: "leaver" });
    expect((await chat(later.key)).status).toBe(200);
  });
});
