import readme from "../../README.md?raw";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import { hasRule, ROUTE_RULES, roleTableMarkdown, type Column, type Role } from "../../src/http/roles";
import { gw, newKey, post } from "../helpers/gateway";

/** A caller of each column: the master key, a key of a user with each role, a team admin, a bare key. */
interface Caller {
  name: string;
  key: string;
  columns: Column[];
  viewer: boolean;
}

async function userKey(role: Role, teamAdminOf?: string): Promise<string> {
  const u = await (await post("/user/new", { user_role: role })).json();
  if (teamAdminOf) expect((await post("/team/member_add", { team_id: teamAdminOf, member: { user_id: u.user_id, role: "admin" } })).status).toBe(200);
  return u.key;
}

async function callers(): Promise<Caller[]> {
  const team = await (await post("/team/new", {})).json();
  const out: Caller[] = [{ name: "master key", key: "sk-test-master", columns: ["proxy_admin"], viewer: false }];
  for (const role of ["proxy_admin", "proxy_admin_viewer", "org_admin", "internal_user", "internal_user_viewer"] as const) {
    out.push({ name: role, key: await userKey(role), columns: [role, "key"], viewer: role.endsWith("_viewer") });
  }
  out.push({ name: "team admin (internal_user_viewer)", key: await userKey("internal_user_viewer", team.team_id), columns: ["internal_user_viewer", "team_admin", "key"], viewer: true });
  out.push({ name: "key without a user", key: (await newKey()).key, columns: ["key"], viewer: false });
  return out;
}

/** What the table says: one of the caller's columns is granted (a viewer role never on a write route). */
const allowed = (c: Caller, rule: (typeof ROUTE_RULES)[number]) => c.columns.some((col) => rule.grants[col] && !(rule.write && c.viewer && col !== "team_admin" && col !== "key"));

describe("the role table", () => {
  it("every admin route of the app has a row", () => {
    const admin = /^\/(key|user|team|model|spend|global|organization|customer|end_user)\//;
    const missing = buildApp()
      .routes.filter((r) => ["GET", "POST", "PATCH", "DELETE"].includes(r.method) && admin.test(r.path))
      .filter((r) => !hasRule(r.method, r.path))
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it("README's Roles section is the table generated from the code", () => {
    const between = (readme as string).split("<!-- roles:start -->")[1]?.split("<!-- roles:end -->")[0]?.trim();
    expect(between).toBe(roleTableMarkdown());
  });

  it("walks every route with every role: allowed ones pass the gate, the others get 403 route_not_allowed", async () => {
    const all = await callers();
    const wrong: string[] = [];
    for (const rule of ROUTE_RULES) {
      const path = rule.path.replace(":key", "sk-not-a-key");
      for (const c of all) {
        const res = rule.method === "GET" ? await gw(path, { key: c.key }) : await gw(path, { method: rule.method, key: c.key, body: "{}" });
        const body = (await res.json()) as { error?: { code?: string } };
        const gated = res.status === 403 && body.error?.code === "route_not_allowed";
        const want = allowed(c, rule);
        if (res.status === 401 || gated === want) wrong.push(`${rule.method} ${rule.path} as ${c.name}: ${res.status} ${JSON.stringify(body).slice(0, 160)}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});
