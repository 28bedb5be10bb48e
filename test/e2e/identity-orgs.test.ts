import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load";
import type { Principal } from "../../src/http/auth";
import { findAuthKey } from "../../src/db/keys";
import { db } from "../../src/db/client";
import { admit } from "../../src/limits/admission";
import { env, gw, newKey, post } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, resetUpstreams } from "../helpers/upstream";

const completion = (prompt = 1, out = 1) => chatAnswer({ prompt, completion: out });
const chat = (key: string, model = "gpt-4o-mini") => post("/v1/chat/completions", { model, messages: [{ role: "user", content: "x" }] }, key);

afterEach(resetUpstreams);

describe("organizations", () => {
  it("new, info, update (PATCH), list, delete; an organization's models bound its teams' keys", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion());
    const o = await (await post("/organization/new", { organization_id: "acme", organization_alias: "Acme", models: ["gpt-4o-mini"], max_budget: 100, budget_duration: "30d", rpm_limit: 50 })).json();
    expect(o).toMatchObject({ organization_id: "acme", organization_alias: "Acme", models: ["gpt-4o-mini"], litellm_budget_table: { max_budget: 100, budget_duration: "30d", rpm_limit: 50 } });
    expect((await post("/organization/new", { organization_id: "acme" })).status).toBe(400);
    expect((await post("/team/new", { organization_id: "nope" })).status).toBe(400);
    const t = await (await post("/team/new", { team_id: "acme-eng", organization_id: "acme" })).json();
    expect(t.organization_id).toBe("acme");
    const k = await newKey({ team_id: "acme-eng" });
    expect((await chat(k.key)).status).toBe(200);
    const refused = await chat(k.key, "gpt-4o");
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toContain("organization 'acme'");
    const upd = await gw("/organization/update", { method: "PATCH", body: JSON.stringify({ organization_id: "acme", models: ["gpt-4o-mini", "gpt-4o"] }) });
    expect(upd.status).toBe(200);
    fakeUpstream("https://api.openai.test/v1", () => completion());
    expect((await chat(k.key, "gpt-4o")).status).not.toBe(403);
    const info = await (await gw("/organization/info?organization_id=acme")).json();
    expect(info.teams).toEqual([expect.objectContaining({ team_id: "acme-eng" })]);
    expect((await (await gw("/organization/list")).json()).map((x: { organization_id: string }) => x.organization_id)).toContain("acme");
    const del = await gw("/organization/delete", { method: "DELETE", body: JSON.stringify({ organization_ids: ["acme"] }) });
    expect(await del.json()).toEqual({ deleted_organizations: ["acme"] });
    // Its teams go with it, as in LiteLLM.
    expect((await gw("/team/info?team_id=acme-eng")).status).toBe(404);
  });

  it("an org_admin member manages its organization's teams' keys, and no other organization's", async () => {
    await post("/organization/new", { organization_id: "org-a" });
    await post("/organization/new", { organization_id: "org-b" });
    await post("/team/new", { team_id: "org-a-team", organization_id: "org-a" });
    await post("/team/new", { team_id: "org-b-team", organization_id: "org-b" });
    const admin = await (await post("/user/new", { user_id: "oa", user_role: "org_admin" })).json();
    const add = await post("/organization/member_add", { organization_id: "org-a", member: { user_id: "oa", role: "org_admin" } });
    expect(await add.json()).toMatchObject({ updated_organization_memberships: [{ user_id: "oa", user_role: "org_admin" }] });
    expect((await post("/key/generate", { team_id: "org-a-team" }, admin.key)).status).toBe(200);
    expect((await post("/key/generate", { team_id: "org-b-team" }, admin.key)).status).toBe(403);
    expect((await gw("/team/info?team_id=org-a-team", { key: admin.key })).status).toBe(200);
    expect((await gw("/team/info?team_id=org-b-team", { key: admin.key })).status).toBe(403);
    expect((await gw("/organization/info?organization_id=org-b", { key: admin.key })).status).toBe(403);
    const orgs = await (await gw("/organization/list", { key: admin.key })).json();
    expect(orgs.map((x: { organization_id: string }) => x.organization_id)).toEqual(["org-a"]);
    expect((await post("/organization/new", {}, admin.key)).status).toBe(403);
  });
});

describe("end users", () => {
  it("/customer and /end_user routes: new, info, update, list, block, unblock, delete", async () => {
    const c = await (await post("/customer/new", { user_id: "cust-1", alias: "C1", max_budget: 5, budget_duration: "1d", models: ["gpt-4o-mini"] })).json();
    expect(c).toMatchObject({ user_id: "cust-1", alias: "C1", blocked: false, models: ["gpt-4o-mini"], litellm_budget_table: { max_budget: 5, budget_duration: "1d" } });
    expect((await gw("/end_user/info?end_user_id=cust-1")).status).toBe(200);
    expect(await (await post("/end_user/update", { user_id: "cust-1", rpm_limit: 3 })).json()).toMatchObject({ litellm_budget_table: { rpm_limit: 3 } });
    expect(await (await post("/customer/block", { user_ids: ["cust-1", "never-seen"] })).json()).toEqual({ blocked_users: ["cust-1", "never-seen"] });
    expect((await (await gw("/customer/info?end_user_id=never-seen")).json()).blocked).toBe(true);
    await post("/customer/unblock", { user_ids: ["cust-1"] });
    expect((await (await gw("/customer/list")).json()).map((x: { user_id: string }) => x.user_id)).toEqual(expect.arrayContaining(["cust-1", "never-seen"]));
    expect(await (await post("/customer/delete", { user_ids: ["cust-1"] })).json()).toEqual({ deleted_end_users: ["cust-1"] });
    expect((await gw("/customer/info?end_user_id=cust-1")).status).toBe(404);
    await expect((await post("/customer/new", { user_id: "x", default_model: "m" })).json()).resolves.toMatchObject({ error: { param: "default_model" } });
  });

  it("admission asks the end user's guard: block, models and budget", async () => {
    const config = await loadConfig(env, () => {});
    const k = await newKey();
    const principal: Principal = { kind: "key", key: (await findAuthKey(db(env.DB), k.token))! };
    const call = (user: string, model = "priced", reserve = 0) => admit(env, config, principal, { id: crypto.randomUUID(), model, reserve, user }, () => {});
    await post("/customer/new", { user_id: "end-1", models: ["priced"], max_budget: 1 });
    await expect(call("end-1", "gpt-4o")).rejects.toMatchObject({ status: 403 });
    // Below its budget the end user gets its next call, holding what is left (1 of the 2 asked)...
    const ok = await call("end-1", "priced", 2);
    await ok.settle(1, 10);
    // ...and with the budget spent, nothing more.
    await expect(call("end-1", "priced", 0.01)).rejects.toMatchObject({ status: 400, type: "budget_exceeded" });
    await post("/customer/block", { user_ids: ["end-1"] });
    await expect(call("end-1")).rejects.toMatchObject({ status: 401, message: expect.stringContaining("end user 'end-1'") });
    // An end user never created has no limits of its own.
    await expect(call("someone-new")).resolves.toBeTruthy();
  });
});

describe("every identity budget at once", () => {
  it("a user, a team, an organization and an end user with budgets bound one call: under 50 concurrent calls none is exceeded", async () => {
    const config = await loadConfig(env, () => {});
    await post("/organization/new", { organization_id: "org-all", max_budget: 6 });
    await post("/team/new", { team_id: "team-all", organization_id: "org-all", max_budget: 8 });
    await post("/user/new", { user_id: "user-all", max_budget: 10, teams: ["team-all"], auto_create_key: false });
    await post("/customer/new", { user_id: "cust-all", max_budget: 4 });
    const k = await newKey({ team_id: "team-all", user_id: "user-all" });
    const principal: Principal = { kind: "key", key: (await findAuthKey(db(env.DB), k.token))! };
    expect(principal.kind === "key" && principal.key.teamOrganizationId).toBe("org-all");
    const run = (user?: string) => Promise.allSettled(Array.from({ length: 50 }, () => admit(env, config, principal, { id: crypto.randomUUID(), model: "priced", reserve: 1, user }, () => {})));

    const first = await run("cust-all");
    const granted = first.filter((r) => r.status === "fulfilled");
    expect(granted.length).toBe(4);
    const refusals = first.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refusals.every((r) => r.reason.type === "budget_exceeded")).toBe(true);
    await Promise.all(granted.map((g) => (g as PromiseFulfilledResult<Awaited<ReturnType<typeof admit>>>).value.settle(1, 10)));
    // Without the end user, the organization's $6 is the tightest: 2 more calls fit.
    const second = await run();
    expect(second.filter((r) => r.status === "fulfilled").length).toBe(2);
    await Promise.all(second.flatMap((g) => (g.status === "fulfilled" ? [g.value.settle(1, 10)] : [])));
    const spend = async (path: string) => (await (await gw(path)).json()) as Record<string, unknown>;
    expect((await spend("/organization/info?organization_id=org-all")).current_period_spend as number).toBeLessThanOrEqual(6);
    expect((await spend("/customer/info?end_user_id=cust-all")).current_period_spend).toBe(4);
    expect(((await spend("/team/info?team_id=team-all")).team_info as { current_period_spend: number }).current_period_spend).toBe(6);
    expect(((await spend("/user/info?user_id=user-all")).user_info as { current_period_spend: number }).current_period_spend).toBe(6);
  });
});
