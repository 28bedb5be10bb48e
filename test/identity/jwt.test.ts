import { base64url, SignJWT } from "jose";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REFETCH_COOLDOWN_MS, resetJwksCache } from "../../src/identity/jwt/jwks";
import { verifyJwt } from "../../src/identity/jwt/verify";
import { resetPrincipalCache } from "../../src/identity/jwt/cache";
import { buildApp } from "../../src/app";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "../helpers/gateway";
import { eventually, gw, newKey, post, withEnv } from "../helpers/gateway";
import { fakeUpstream, received, resetUpstreams } from "../helpers/upstream";
import { AUD, chatWith, completion, fakeIdp, JWKS_URL, jwtConfig, jwtEnv, signer, spki, token, type Signer } from "./jwt-helpers";

let k1: Signer;
let k2: Signer;
let published: Signer[];
let idp: { fetches: number };

const TEAM_CFG = jwtEnv(jwtConfig({ team_id_jwt_field: "client_id", user_id_jwt_field: "sub", end_user_id_jwt_field: "customer" }));

beforeAll(async () => {
  k1 = await signer("k1");
  k2 = await signer("k2", "ES256");
  await post("/team/new", { team_id: "jwt-eng", models: ["gpt-4o-mini"] });
  await post("/team/new", { team_id: "jwt-rpm", models: ["gpt-4o-mini"], rpm_limit: 3 });
  await post("/user/new", { user_id: "alice", user_email: "alice@acme.test", auto_create_key: false });
});

beforeEach(() => {
  resetJwksCache();
  resetPrincipalCache();
  published = [k1];
  idp = fakeIdp(() => published.map((s) => s.jwk));
  fakeUpstream("https://api.openai.test/v1", () => completion());
});
afterEach(resetUpstreams);

const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; code: string; type: string } }).error;

describe("JWT auth (general_settings.enable_jwt_auth)", () => {
  it("a valid team token calls a model; the team's models and rpm_limit apply; the JWKS is fetched once", async () => {
    const t = await token(k1, { client_id: "jwt-rpm" });
    const first = await chatWith(TEAM_CFG, t);
    expect(first.status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await chatWith(TEAM_CFG, t)).status).toBe(200);
    // The spend row names the identity.
    const id = first.headers.get("x-request-id");
    const rows = await eventually(async () => {
      const r = ((await (await gw(`/spend/logs?request_id=${id}`)).json()) as Array<Record<string, unknown>>).filter((x) => x.request_id === id);
      return r.length ? r : undefined;
    });
    expect(rows[0]).toMatchObject({ api_key: "jwt:@jwt-rpm" });
    const over = await chatWith(TEAM_CFG, t);
    expect(over.status).toBe(429);
    expect((await errorOf(over)).code).toBe("rate_limit_exceeded");
    expect(idp.fetches).toBe(1);
    // The team's model list bounds the token.
    await post("/team/new", { team_id: "jwt-models", models: ["gpt-4o-mini"] });
    const other = await chatWith(TEAM_CFG, await token(k1, { client_id: "jwt-models" }), { model: "gpt-4o" });
    expect(other.status).toBe(403);
    expect(idp.fetches).toBe(1);
  });

  it("a token reused within 30 s is not verified again (no JWKS, no D1 read); another token is", async () => {
    const bound = { ...env, ...TEAM_CFG };
    const app = buildApp();
    const call = async (t: string) => {
      const ctx = createExecutionContext();
      const headers = { authorization: `Bearer ${t}`, "content-type": "application/json" };
      const res = await app.fetch(
        new Request("http://gw.test/v1/chat/completions", { method: "POST", headers, body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }) }),
        bound,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return res;
    };
    const t = await token(k1, { client_id: "jwt-eng", n: 1 });
    expect((await call(t)).status).toBe(200);
    resetJwksCache();
    fakeUpstream("https://idp.test/", () => new Response("down", { status: 500 }));
    expect((await call(t)).status).toBe(200);
    expect((await call(await token(k1, { client_id: "jwt-eng", n: 2 }))).status).toBe(503);
  });

  it("refuses expired, not-yet-valid, wrong-audience, wrong-issuer and exp-less tokens with 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[Promise<string>, RegExp]> = [
      [token(k1, { client_id: "jwt-eng" }, { exp: now - 120 }), /expired/],
      [token(k1, { client_id: "jwt-eng" }, { nbf: now + 600 }), /not valid yet/],
      [token(k1, { client_id: "jwt-eng" }, { aud: "another-app" }), /audience/],
      [token(k1, { client_id: "jwt-eng" }, { aud: null }), /audience|aud/],
      [token(k1, { client_id: "jwt-eng" }, { iss: "https://evil.test" }), /issuer/],
      [token(k1, { client_id: "jwt-eng" }, { exp: null }), /exp/],
    ];
    const cfg = jwtEnv(jwtConfig({ team_id_jwt_field: "client_id", issuer: "https://idp.test/realms/acme" }));
    for (const [t, why] of cases) {
      const res = await chatWith(cfg, await t);
      expect(res.status).toBe(401);
      const err = await errorOf(res);
      expect(err.type).toBe("authentication_error");
      expect(err.message).toMatch(why);
    }
    // Within the leeway (30 s) an expiry just past is accepted.
    expect((await chatWith(cfg, await token(k1, { client_id: "jwt-eng" }, { exp: now - 5 }))).status).toBe(200);
    expect(received.filter((r) => r.url.startsWith("https://api.openai.test")).length).toBe(1);
  });

  it("refuses a bad signature, alg none and HS256 signed with the public key", async () => {
    const good = await token(k1, { client_id: "jwt-eng" });
    const forged = await token({ ...(await signer("k1")) }, { client_id: "jwt-eng" });
    expect((await errorOf(await chatWith(TEAM_CFG, forged))).message).toMatch(/signature/);

    const [, payload] = good.split(".");
    const none = `${base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }))}.${payload}.`;
    const r1 = await chatWith(TEAM_CFG, none);
    expect(r1.status).toBe(401);
    expect((await errorOf(r1)).message).toMatch(/algorithm 'none'/);

    const pem = new TextEncoder().encode(await spki(k1));
    const hs = await new SignJWT({ client_id: "jwt-eng" }).setProtectedHeader({ alg: "HS256", kid: "k1" }).setIssuer("x").setAudience("switchyard").setExpirationTime("5m").sign(pem);
    const r2 = await chatWith(TEAM_CFG, hs);
    expect(r2.status).toBe(401);
    expect((await errorOf(r2)).message).toMatch(/algorithm 'HS256'/);
    expect(received.filter((r) => r.url.startsWith("https://api.openai.test")).length).toBe(0);
  });

  it("an unknown kid fetches the JWKS again once (rate limited); a rotated-in key is then accepted", async () => {
    expect((await chatWith(TEAM_CFG, await token(k1, { client_id: "jwt-eng-2" }))).status).toBe(401); // (team missing) JWKS fetched
    expect(idp.fetches).toBe(1);
    const stranger = await token(await signer("nobody"), { client_id: "jwt-eng" });
    const r = await chatWith(TEAM_CFG, stranger);
    expect(r.status).toBe(401);
    expect((await errorOf(r)).message).toMatch(/kid/);
    // Within the cooldown, made-up kids cost no fetch at all.
    expect(idp.fetches).toBe(1);
    expect((await chatWith(TEAM_CFG, await token(await signer("other"), { client_id: "jwt-eng" }))).status).toBe(401);
    expect(idp.fetches).toBe(1);

    // Rotation: the provider publishes k2; a token signed with it is accepted after one refetch.
    resetJwksCache();
    expect((await chatWith(TEAM_CFG, await token(k1, { client_id: "jwt-eng" }))).status).toBe(200);
    expect(idp.fetches).toBe(2);
    published = [k1, k2];
    await post("/team/new", { team_id: "jwt-rot" });
    expect((await chatWith(TEAM_CFG, await token(k2, { client_id: "jwt-rot" }))).status).toBe(401); // cooldown since the last fetch
    expect(idp.fetches).toBe(2);
  });

  it("a rotated-in kid is fetched once the cooldown is over (ES256 key beside RS256)", async () => {
    const provider = { jwksUrls: [JWKS_URL], audience: AUD, fields: {} };
    const verify = (t: string, at: number) => verifyJwt(t, provider, 600_000, at);
    const now = Date.now();
    await verify(await token(k1, {}), now);
    expect(idp.fetches).toBe(1);
    published = [k1, k2];
    const rotated = await token(k2, {});
    await expect(verify(rotated, now + 1_000)).rejects.toThrow(/kid/);
    expect(idp.fetches).toBe(1);
    expect((await verify(rotated, now + REFETCH_COOLDOWN_MS + 1)).sub).toBeUndefined();
    expect(idp.fetches).toBe(2);
    // Cached keys are reused within public_key_ttl, fetched again after it.
    await verify(await token(k1, {}), now + REFETCH_COOLDOWN_MS + 2);
    expect(idp.fetches).toBe(2);
    await verify(await token(k1, {}, { exp: Math.floor((now + 700_000) / 1000) + 60 }), now + 700_000);
    expect(idp.fetches).toBe(3);
  });

  it("a team that does not exist is a 401 naming it; x-litellm-team-id must be one of the token's teams", async () => {
    const r = await chatWith(TEAM_CFG, await token(k1, { client_id: "no-such-team" }));
    expect(r.status).toBe(401);
    expect((await errorOf(r)).message).toMatch(/team 'no-such-team'.*does not exist/);
    const multi = jwtEnv(jwtConfig({ team_ids_jwt_field: "groups" }));
    await post("/team/new", { team_id: "jwt-g2" });
    const t = await token(k1, { groups: ["jwt-missing", "jwt-g2"] });
    expect((await chatWith(multi, t)).status).toBe(200);
    const wrong = await chatWith(multi, t, {}, { "x-litellm-team-id": "jwt-eng" });
    expect(wrong.status).toBe(403);
    expect((await errorOf(wrong)).message).toMatch(/x-litellm-team-id/);
    expect((await chatWith(multi, await token(k1, { groups: ["jwt-missing"] }))).status).toBe(401);
  });

  it("users: an unknown user is a 401 unless user_id_upsert; the allowed email domain is enforced", async () => {
    const userOnly = jwtEnv(jwtConfig({ user_id_jwt_field: "sub" }));
    expect((await chatWith(userOnly, await token(k1, { sub: "alice" }))).status).toBe(200);
    const r = await chatWith(userOnly, await token(k1, { sub: "bob" }));
    expect(r.status).toBe(401);
    expect((await errorOf(r)).message).toMatch(/user 'bob'.*user_id_upsert/);

    const upsert = jwtEnv(jwtConfig({ user_id_jwt_field: "sub", user_id_upsert: true, user_allowed_email_domain: "acme.test" }));
    const denied = await chatWith(upsert, await token(k1, { sub: "mallory", email: "mallory@evil.test" }));
    expect(denied.status).toBe(403);
    expect((await errorOf(denied)).message).toMatch(/allowed domain/);
    expect((await chatWith(upsert, await token(k1, { sub: "carol", email: "carol@acme.test" }))).status).toBe(200);
    const info = await (await withEnv({}, "/user/info?user_id=carol")).json();
    expect(info.user_info).toMatchObject({ user_id: "carol", user_email: "carol@acme.test", user_role: "internal_user" });

    // A token that names neither a team nor a user is refused: nothing would bound it.
    expect((await chatWith(userOnly, await token(k1, { other: "x" }))).status).toBe(403);
  });

  it("organizations: must exist, and be the team's own when the team has one; the org's models bound the call", async () => {
    await post("/organization/new", { organization_id: "jwt-org", models: ["gpt-4o"] });
    await post("/organization/new", { organization_id: "jwt-org-b" });
    await post("/team/new", { team_id: "jwt-org-team", organization_id: "jwt-org" });
    const cfg = jwtEnv(jwtConfig({ team_id_jwt_field: "client_id", org_id_jwt_field: "org" }));
    const missing = await chatWith(cfg, await token(k1, { client_id: "jwt-eng", org: "no-such-org" }));
    expect(missing.status).toBe(401);
    expect((await errorOf(missing)).message).toMatch(/organization 'no-such-org'/);
    expect((await chatWith(cfg, await token(k1, { client_id: "jwt-org-team", org: "jwt-org-b" }))).status).toBe(403);
    expect((await chatWith(cfg, await token(k1, { client_id: "jwt-org-team", org: "jwt-org" }), { model: "gpt-4o-mini" })).status).toBe(403);
    expect((await chatWith(cfg, await token(k1, { client_id: "jwt-org-team", org: "jwt-org" }), { model: "gpt-4o" })).status).toBe(200);
  });

  it("the user's own budget and model list bound a user token", async () => {
    await post("/user/new", { user_id: "dave", models: ["gpt-4o"], auto_create_key: false });
    const cfg = jwtEnv(jwtConfig({ user_id_jwt_field: "sub" }));
    expect((await chatWith(cfg, await token(k1, { sub: "dave" }), { model: "gpt-4o-mini" })).status).toBe(403);
    expect((await chatWith(cfg, await token(k1, { sub: "dave" }), { model: "gpt-4o" })).status).toBe(200);
  });

  it("the end user a token names is the call's end user (its block applies)", async () => {
    await post("/customer/new", { user_id: "jwt-cust" });
    await post("/customer/block", { user_ids: ["jwt-cust"] });
    const t = await token(k1, { client_id: "jwt-eng", customer: "jwt-cust" });
    const r = await chatWith(TEAM_CFG, t, { user: "someone-else" });
    expect(r.status).toBe(401);
    expect((await errorOf(r)).message).toMatch(/blocked/);
    expect((await chatWith(TEAM_CFG, await token(k1, { client_id: "jwt-eng" }), { user: "jwt-cust" })).status).toBe(401);
    expect((await chatWith(TEAM_CFG, await token(k1, { client_id: "jwt-eng" }), { user: "someone-else" })).status).toBe(200);
    // The spend row names the token's end user, not the request's `user`.
    const ok = await chatWith(TEAM_CFG, await token(k1, { client_id: "jwt-eng", customer: "jwt-cust-2" }), { user: "someone-else" });
    expect(ok.status).toBe(200);
    const id = ok.headers.get("x-request-id");
    const rows = await eventually(async () => {
      // (request_id= also matches the answer's id, which the fake upstream repeats: keep this call's row)
      const r = ((await (await gw(`/spend/logs?request_id=${id}`)).json()) as Array<{ request_id: string; metadata: { user?: string } }>).filter((x) => x.request_id === id);
      return r.length ? r : undefined;
    });
    expect(rows[0]?.metadata.user).toBe("jwt-cust-2");
  });

  it("admin_jwt_scope makes a proxy admin for admin routes only", async () => {
    const admin = await token(k1, { scope: "openid litellm_proxy_admin" });
    const list = await withEnv(TEAM_CFG, "/team/list", { key: admin });
    expect(list.status).toBe(200);
    const call = await chatWith(TEAM_CFG, admin);
    expect(call.status).toBe(403);
    expect((await errorOf(call)).message).toMatch(/admin routes only/);
    // A team token is no admin.
    expect((await withEnv(TEAM_CFG, "/team/list", { key: await token(k1, { client_id: "jwt-eng" }) })).status).toBe(403);
  });

  it("virtual keys and the master key keep working beside JWTs", async () => {
    const k = await newKey({ models: ["gpt-4o-mini"] });
    expect((await chatWith(TEAM_CFG, k.key)).status).toBe(200);
    expect((await chatWith(TEAM_CFG, "sk-test-master")).status).toBe(200);
    expect((await chatWith(TEAM_CFG, "sk-not-a-key")).status).toBe(401);
    expect(idp.fetches).toBe(0);
  });

  it("fails closed: no audience configured is a 503 for JWTs only; an unreachable JWKS is a 503", async () => {
    const noAud = { ...TEAM_CFG, JWT_AUDIENCE: undefined };
    const r = await chatWith(noAud, await token(k1, { client_id: "jwt-eng" }));
    expect(r.status).toBe(503);
    expect((await errorOf(r)).message).toMatch(/JWT_AUDIENCE/);
    const k = await newKey({});
    expect((await chatWith(noAud, k.key)).status).toBe(200);
    const ready = (await (await withEnv(noAud, "/health/readiness")).json()) as { config: { unsupported: string[] } };
    expect(ready.config.unsupported.join("\n")).toMatch(/enable_jwt_auth: .*JWT_AUDIENCE/);

    const unsupported = jwtEnv(jwtConfig({ team_id_jwt_field: "client_id", role_permissions: [{ role: "internal_user", models: ["gpt-4o"] }] }));
    const u = await chatWith(unsupported, await token(k1, { client_id: "jwt-eng" }));
    expect(u.status).toBe(503);
    expect((await errorOf(u)).message).toMatch(/role_permissions is not supported/);

    fakeUpstream("https://idp.test/", () => new Response("down", { status: 500 }));
    const down = await chatWith(TEAM_CFG, await token(k1, { client_id: "jwt-eng" }));
    expect(down.status).toBe(503);
    expect((await errorOf(down)).code).toBe("jwks_unavailable");
  });
});
