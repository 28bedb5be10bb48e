import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetPrincipalCache } from "../../src/identity/jwt/cache";
import { resetJwksCache } from "../../src/identity/jwt/jwks";
import { post, withEnv } from "../helpers/gateway";
import { fakeUpstream, resetUpstreams } from "../helpers/upstream";
import { chatWith, completion, fakeIdp, jwtConfig, jwtEnv, signer, token, type Signer } from "./jwt-helpers";

let k1: Signer;

beforeAll(async () => {
  k1 = await signer("roles-k1");
  await post("/user/new", { user_id: "rita", user_email: "rita@acme.test", user_role: "internal_user", auto_create_key: false });
  await post("/team/new", { team_id: "roles-team", models: ["gpt-4o-mini"] });
});
beforeEach(() => {
  resetJwksCache();
  resetPrincipalCache();
  fakeIdp(() => [k1.jwk]);
  fakeUpstream("https://api.openai.test/v1", () => completion());
});
afterEach(resetUpstreams);

const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; code: string; param: string | null } }).error;
const admin = (cfg: Record<string, unknown>, path: string, t: string, body?: unknown) => withEnv(cfg, path, body === undefined ? { key: t } : { key: t, method: "POST", body: JSON.stringify(body) });

/** Keycloak's shape: the client's roles under resource_access.<client>.roles. */
const kc = (roles: string[], extra: Record<string, unknown> = {}) => ({ resource_access: { litellm: { roles } }, ...extra });

const MAP_CFG = jwtEnv(
  jwtConfig({
    user_id_jwt_field: "sub",
    roles_jwt_field: "resource_access.litellm.roles",
    jwt_litellm_role_map: [
      { jwt_role: "gw-admin*", litellm_role: "proxy_admin" },
      { jwt_role: "gw-viewer", litellm_role: "proxy_admin_viewer" },
    ],
  }),
);

describe("JWT roles (user_roles_jwt_field, user_allowed_roles, jwt_litellm_role_map, role_mappings)", () => {
  it("a mapped role decides the admin routes, over the stored user's role", async () => {
    const boss = await token(k1, kc(["gw-admins"], { sub: "rita" }));
    expect((await admin(MAP_CFG, "/user/list", boss)).status).toBe(200);
    expect((await admin(MAP_CFG, "/team/new", boss, { team_id: "roles-made" })).status).toBe(200);
    // The mapped admin is still the user rita on model calls (her guards bound them).
    expect((await chatWith(MAP_CFG, boss)).status).toBe(200);

    const viewer = await token(k1, kc(["gw-viewer"], { sub: "rita" }));
    expect((await admin(MAP_CFG, "/user/list", viewer)).status).toBe(200);
    const write = await admin(MAP_CFG, "/team/new", viewer, { team_id: "roles-nope" });
    expect(write.status).toBe(403);
    expect((await errorOf(write)).message).toMatch(/proxy_admin_viewer/);

    // No role that maps: rita's stored role (internal_user) applies.
    const plain = await token(k1, kc(["gw-other"], { sub: "rita" }));
    const refused = await admin(MAP_CFG, "/user/list", plain);
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toMatch(/internal_user/);
  });

  it("a mapped admin role without a user is an admin for admin routes only", async () => {
    const boss = await token(k1, kc(["gw-admin"]));
    expect((await admin(MAP_CFG, "/team/list", boss)).status).toBe(200);
    const call = await chatWith(MAP_CFG, boss);
    expect(call.status).toBe(403);
    expect((await errorOf(call)).message).toMatch(/admin routes only/);

    const viewer = await token(k1, kc(["gw-viewer"]));
    expect((await admin(MAP_CFG, "/user/list", viewer)).status).toBe(200);
    expect((await admin(MAP_CFG, "/team/new", viewer, { team_id: "roles-nope-2" })).status).toBe(403);
    const viewerCall = await chatWith(MAP_CFG, viewer);
    expect(viewerCall.status).toBe(403);
    expect((await errorOf(viewerCall)).message).toMatch(/admin routes only/);

    // A role that maps to nothing, and no user or team: refused, nothing would bound it.
    const nobody = await token(k1, kc(["gw-other"]));
    expect((await admin(MAP_CFG, "/team/list", nobody)).status).toBe(403);
    expect((await chatWith(MAP_CFG, nobody)).status).toBe(403);
  });

  it("role_mappings match exactly; a wrong role claim maps to nothing", async () => {
    const cfg = jwtEnv(jwtConfig({ user_id_jwt_field: "sub", roles_jwt_field: "roles", role_mappings: [{ role: "ops", internal_role: "proxy_admin_viewer" }] }));
    expect((await admin(cfg, "/user/list", await token(k1, { sub: "rita", roles: ["ops"] }))).status).toBe(200);
    expect((await admin(cfg, "/user/list", await token(k1, { sub: "rita", roles: "ops" }))).status).toBe(200);
    expect((await admin(cfg, "/user/list", await token(k1, { sub: "rita", roles: ["ops-team"] }))).status).toBe(403);
    // The roles must be at roles_jwt_field: the same role elsewhere in the token counts for nothing.
    expect((await admin(cfg, "/user/list", await token(k1, { sub: "rita", groups: ["ops"] }))).status).toBe(403);
  });

  it("user_allowed_roles: a token without one of them is refused (403); with one it is an internal user", async () => {
    const cfg = jwtEnv(jwtConfig({ team_id_jwt_field: "client_id", user_roles_jwt_field: "realm_access.roles", user_allowed_roles: ["basic_user", "power_user"] }));
    const ok = await token(k1, { client_id: "roles-team", realm_access: { roles: ["basic_user"] } });
    expect((await chatWith(cfg, ok)).status).toBe(200);
    for (const claims of [{ realm_access: { roles: ["guest"] } }, { realm_access: { roles: "guest" } }, {}, { roles: ["basic_user"] }]) {
      const res = await chatWith(cfg, await token(k1, { client_id: "roles-team", ...claims }));
      expect(res.status).toBe(403);
      const err = await errorOf(res);
      expect(err.code).toBe("role_not_allowed");
      expect(err.message).toMatch(/user_allowed_roles \(basic_user, power_user\)/);
    }
    // An allowed role makes an internal user on admin routes: its own things only.
    expect((await admin(cfg, "/team/list", ok)).status).toBe(200);
    expect((await admin(cfg, "/user/list", ok)).status).toBe(403);
  });

  it("enforce_rbac: true is accepted; false, and malformed role options, are config errors naming the field", async () => {
    const rbac = jwtEnv(jwtConfig({ team_id_jwt_field: "client_id", enforce_rbac: true }));
    expect((await chatWith(rbac, await token(k1, { client_id: "roles-team" }))).status).toBe(200);
    expect((await chatWith(rbac, await token(k1, { other: 1 }))).status).toBe(403);

    const off = jwtEnv(jwtConfig({ team_id_jwt_field: "client_id", enforce_rbac: false }));
    const r = await chatWith(off, await token(k1, { client_id: "roles-team" }));
    expect(r.status).toBe(503);
    expect((await errorOf(r)).message).toMatch(/enforce_rbac: false is not supported/);

    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ roles_jwt_field: "roles", jwt_litellm_role_map: [{ jwt_role: "a", litellm_role: "superuser" }] }, /jwt_litellm_role_map\[0\]\.litellm_role: must be one of proxy_admin/],
      [{ roles_jwt_field: "roles", role_mappings: [{ role: "a", internal_role: "team" }] }, /role_mappings\[0\]\.internal_role/],
      [{ roles_jwt_field: "roles", role_mappings: [{ role: "a", internal_role: "proxy_admin", models: ["x"] }] }, /role_mappings\[0\]\.models: not supported/],
      [{ jwt_litellm_role_map: [{ jwt_role: "a", litellm_role: "proxy_admin" }] }, /jwt_litellm_role_map: needs roles_jwt_field/],
      [{ user_allowed_roles: ["basic_user"] }, /user_allowed_roles: needs user_roles_jwt_field/],
      [{ user_roles_jwt_field: "roles", user_allowed_roles: "basic_user" }, /user_allowed_roles: must be a non-empty list/],
      [{ user_roles_jwt_field: ["roles"] }, /user_roles_jwt_field: must be a non-empty string/],
      [{ enforce_rbac: "yes" }, /enforce_rbac: must be true or false/],
    ];
    for (const [opts, why] of bad) {
      const res = await chatWith(jwtEnv(jwtConfig({ team_id_jwt_field: "client_id", ...opts })), "sk-test-master");
      expect(res.status).toBe(503);
      const err = await errorOf(res);
      expect(err.code).toBe("config_error");
      expect(err.message).toMatch(why);
    }
  });
});
