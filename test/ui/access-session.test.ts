import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from "../../src/http/session";
import { resetJwksCache } from "../../src/identity/jwt/jwks";
import { post, withEnv } from "../helpers/gateway";
import { fakeUpstream, json, resetUpstreams } from "../helpers/upstream";
import { signer, token, type Signer } from "../identity/jwt-helpers";

const TEAM = "acme.cloudflareaccess.com";
const AUD_TAG = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
const CFG = {
  GATEWAY_CONFIG: stringify({
    model_list: [{ model_name: "gpt-4o-mini", litellm_params: { model: "openai/gpt-4o-mini", api_base: "https://api.openai.test/v1", api_key: "os.environ/OPENAI_API_KEY" } }],
    general_settings: { cloudflare_access: { team_domain: TEAM, aud: AUD_TAG } },
  }),
};
const ORIGIN = "http://gw.test";
let cf: Signer;

const assertion = (email: string | undefined, opts: { aud?: string; exp?: string; with?: Signer } = {}) =>
  token(opts.with ?? cf, email ? { email, sub: "u" } : { sub: "svc" }, { aud: opts.aud ?? AUD_TAG, iss: `https://${TEAM}`, exp: opts.exp ?? "5m" });

/** POST /ui/api/login/access as the browser sends it behind Access (same origin, the assertion header). */
const accessLogin = (a: string | undefined, headers: Record<string, string> = {}, bindings: Record<string, unknown> = CFG) =>
  withEnv(bindings, "/ui/api/login/access", {
    method: "POST",
    key: null,
    headers: { "sec-fetch-site": "same-origin", origin: ORIGIN, ...(a ? { "cf-access-jwt-assertion": a } : {}), ...headers },
  });

async function signIn(email: string): Promise<{ cookie: string; csrf: string; body: Record<string, unknown>; maxAge: number }> {
  const res = await accessLogin(await assertion(email));
  expect(res.status).toBe(200);
  const cookies = res.headers.getSetCookie();
  const pick = (name: string) => cookies.find((c) => c.startsWith(`${name}=`))!.split(";")[0]!;
  const body = (await res.json()) as Record<string, unknown>;
  const maxAge = Number(/Max-Age=(\d+)/.exec(cookies[0]!)?.[1]);
  return { cookie: `${pick(SESSION_COOKIE)}; ${pick(CSRF_COOKIE)}`, csrf: body.csrf_token as string, body, maxAge };
}

/** A call the UI makes with its session cookie (no key, no assertion). */
const withCookie = (cookie: string, path: string, init: RequestInit = {}, bindings: Record<string, unknown> = CFG) =>
  withEnv(bindings, path, { ...init, key: null, headers: { cookie, origin: ORIGIN, "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) } });

const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; code: string } }).error;

beforeAll(async () => {
  cf = await signer("cf-ui-1");
  await post("/user/new", { user_id: "ui-boss", user_email: "boss@ui.test", user_role: "proxy_admin", auto_create_key: false });
  await post("/user/new", { user_id: "ui-viewer", user_email: "viewer@ui.test", user_role: "internal_user_viewer", auto_create_key: false });
  await post("/user/new", { user_id: "ui-temp", user_email: "temp@ui.test", user_role: "proxy_admin", auto_create_key: false });
});
beforeEach(() => {
  resetJwksCache();
  fakeUpstream(`https://${TEAM}/cdn-cgi/access/certs`, () => json({ keys: [cf.jwk], public_cert: { kid: "cf-ui-1", cert: "" }, public_certs: [] }));
});
afterEach(resetUpstreams);

describe("UI sign-in with Cloudflare Access (POST /ui/api/login/access)", () => {
  it("a valid assertion opens a UI session for its user; that user's role decides each admin route", async () => {
    const boss = await signIn("boss@ui.test");
    expect(boss.body).toMatchObject({ signed_in: true, user_id: "ui-boss", user_role: "proxy_admin" });
    // The session ends no later than the assertion (5 minutes here).
    expect(boss.maxAge).toBeGreaterThan(0);
    expect(boss.maxAge).toBeLessThanOrEqual(300);
    expect((await withCookie(boss.cookie, "/team/list")).status).toBe(200);
    const made = await withCookie(boss.cookie, "/team/new", { method: "POST", body: JSON.stringify({ team_id: "ui-access-team" }), headers: { [CSRF_HEADER]: boss.csrf } });
    expect(made.status).toBe(200);
    // The CSRF rules of every session hold: no token, or another site, is a 403.
    expect((await withCookie(boss.cookie, "/team/new", { method: "POST", body: JSON.stringify({ team_id: "ui-x" }) })).status).toBe(403);
    const cross = await withCookie(boss.cookie, "/team/new", { method: "POST", body: JSON.stringify({ team_id: "ui-x" }), headers: { [CSRF_HEADER]: boss.csrf, origin: "https://evil.test" } });
    expect(cross.status).toBe(403);

    const viewer = await signIn("viewer@ui.test");
    expect(viewer.body).toMatchObject({ user_id: "ui-viewer", user_role: "internal_user_viewer" });
    expect((await withCookie(viewer.cookie, "/user/info?user_id=ui-viewer")).status).toBe(200);
    const list = await withCookie(viewer.cookie, "/user/list");
    expect(list.status).toBe(403);
    expect((await errorOf(list)).message).toMatch(/internal_user_viewer/);
    expect((await withCookie(viewer.cookie, "/key/generate", { method: "POST", body: JSON.stringify({}), headers: { [CSRF_HEADER]: viewer.csrf } })).status).toBe(403);
    // A session never authenticates a model call.
    const call = await withCookie(viewer.cookie, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }) });
    expect(call.status).toBe(401);
  });

  it("GET /ui/api/session says who is signed in and which sign-in ways exist", async () => {
    const boss = await signIn("boss@ui.test");
    const me = await withCookie(boss.cookie, "/ui/api/session");
    expect(me.headers.get("cache-control")).toBe("no-store");
    const mine = (await me.json()) as Record<string, unknown>;
    expect(mine).toMatchObject({ signed_in: true, user_id: "ui-boss", user_role: "proxy_admin", cloudflare_access: true, access_assertion: false, role: "proxy_admin", team_admin_of: [] });
    expect(mine.routes).toEqual(expect.arrayContaining(["POST /key/update", "GET /spend/logs"]));
    const anon = await withEnv(CFG, "/ui/api/session", { key: null, headers: { "cf-access-jwt-assertion": "x.y.z" } });
    expect(await anon.json()).toEqual({ signed_in: false, user_id: null, user_role: null, cloudflare_access: true, access_assertion: true });
    const off = await withEnv({}, "/ui/api/session", { key: null });
    expect(await off.json()).toMatchObject({ signed_in: false, cloudflare_access: false, access_assertion: false });
  });

  it("refuses a forged, foreign or missing assertion, an unknown email and another site, setting no cookie", async () => {
    const forged = await assertion("boss@ui.test", { with: await signer("cf-ui-1") });
    const cases: Array<[Promise<Response>, number, RegExp]> = [
      [accessLogin(forged), 401, /signature/],
      [accessLogin(await assertion("boss@ui.test", { aud: "another-app" })), 401, /audience/],
      [accessLogin(await assertion("stranger@ui.test")), 401, /No user of this gateway has the email/],
      [accessLogin(await assertion(undefined)), 401, /carries no email/],
      [accessLogin(undefined), 401, /no Cloudflare Access assertion/],
      [accessLogin(await assertion("boss@ui.test"), { "sec-fetch-site": "cross-site" }), 403, /Cross-site/],
      [accessLogin(await assertion("boss@ui.test"), { origin: "https://evil.test" }), 403, /Cross-site/],
      [accessLogin(await assertion("boss@ui.test"), {}, {}), 400, /not configured/],
    ];
    for (const [res, status, why] of cases) {
      const r = await res;
      expect(r.status).toBe(status);
      expect(r.headers.getSetCookie()).toEqual([]);
      expect((await errorOf(r)).message).toMatch(why);
    }
  });

  it("a user session ends when the user is deleted, when Access sign-in is switched off, or when its cookie is altered", async () => {
    const temp = await signIn("temp@ui.test");
    expect((await withCookie(temp.cookie, "/team/list")).status).toBe(200);
    // Another user's id put into the cookie breaks its signature.
    const [session, csrf] = temp.cookie.split("; ") as [string, string];
    const [exp, nonce, , sig] = session.slice(SESSION_COOKIE.length + 1).split(".");
    const other = `u${btoa("ui-boss").replace(/=+$/, "")}`;
    expect((await withCookie(`${SESSION_COOKIE}=${exp}.${nonce}.${other}.${sig}; ${csrf}`, "/team/list")).status).toBe(401);
    // Without cloudflare_access in the config, user sessions stop (the master key's keep working).
    const off = await withCookie(temp.cookie, "/team/list", {}, {});
    expect(off.status).toBe(401);
    expect((await errorOf(off)).message).toMatch(/not configured any more/);
    await post("/user/delete", { user_ids: ["ui-temp"] });
    const gone = await withCookie(temp.cookie, "/team/list");
    expect(gone.status).toBe(401);
    expect((await errorOf(gone)).message).toMatch(/no longer exists/);
    expect(await (await withCookie(temp.cookie, "/ui/api/session")).json()).toMatchObject({ signed_in: false });
  });
});
