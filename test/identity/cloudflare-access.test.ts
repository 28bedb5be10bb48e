import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { resetJwksCache } from "../../src/identity/jwt/jwks";
import { post, withEnv } from "../helpers/gateway";
import { fakeUpstream, json, resetUpstreams } from "../helpers/upstream";
import { signer, token, type Signer } from "./jwt-helpers";

const TEAM = "acme.cloudflareaccess.com";
const AUD_TAG = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
const CFG = {
  GATEWAY_CONFIG: stringify({
    model_list: [{ model_name: "gpt-4o-mini", litellm_params: { model: "openai/gpt-4o-mini", api_base: "https://api.openai.test/v1", api_key: "os.environ/OPENAI_API_KEY" } }],
    general_settings: { cloudflare_access: { team_domain: TEAM, aud: AUD_TAG } },
  }),
};
let cf: Signer;
let fetches = 0;

const assertion = (email: string | undefined, opts: { aud?: string; iss?: string } = {}) =>
  token(cf, email ? { email, sub: "u" } : { sub: "svc" }, { aud: opts.aud ?? AUD_TAG, iss: opts.iss ?? `https://${TEAM}` });
const admin = (path: string, a: string, init: RequestInit = {}) =>
  withEnv(CFG, path, { ...init, key: null, headers: { "cf-access-jwt-assertion": a, ...(init.headers as Record<string, string> | undefined) } });

beforeAll(async () => {
  cf = await signer("cf-1");
  await post("/user/new", { user_id: "cf-boss", user_email: "boss@acme.test", user_role: "proxy_admin", auto_create_key: false });
  await post("/user/new", { user_id: "cf-intern", user_email: "intern@acme.test", user_role: "internal_user_viewer", auto_create_key: false });
});
beforeEach(() => {
  resetJwksCache();
  fetches = 0;
  fakeUpstream(`https://${TEAM}/cdn-cgi/access/certs`, () => {
    fetches++;
    return json({ keys: [cf.jwk], public_cert: { kid: "cf-1", cert: "" }, public_certs: [] });
  });
});
afterEach(resetUpstreams);

describe("Cloudflare Access sign-in to the admin API (general_settings.cloudflare_access)", () => {
  it("an assertion whose email is a user's signs in with that user's role", async () => {
    const boss = await assertion("boss@acme.test");
    expect((await admin("/team/list", boss)).status).toBe(200);
    const created = await admin("/team/new", boss, { method: "POST", body: JSON.stringify({ team_id: "cf-team" }), headers: { origin: "http://gw.test", "content-type": "application/json" } });
    expect(created.status).toBe(200);
    // Access adds the assertion to other sites' requests too: a change from another origin is refused.
    const csrf = await admin("/team/new", boss, { method: "POST", body: JSON.stringify({ team_id: "cf-team-2" }), headers: { origin: "https://evil.test", "content-type": "application/json" } });
    expect(csrf.status).toBe(403);
    const intern = await assertion("intern@acme.test");
    expect((await admin("/team/new", intern, { method: "POST", body: JSON.stringify({}), headers: { "content-type": "application/json" } })).status).toBe(403);
    expect((await admin(`/user/info?user_id=cf-intern`, intern)).status).toBe(200);
    expect(fetches).toBe(1);
  });

  it("refuses an unknown email, a service token, a wrong AUD or issuer, a forged signature; never authenticates a model call", async () => {
    const cases: Array<[string, RegExp]> = [
      [await assertion("stranger@acme.test"), /No user of this gateway has the email/],
      [await assertion(undefined), /carries no email/],
      [await assertion("boss@acme.test", { aud: "other-app" }), /audience/],
      [await assertion("boss@acme.test", { iss: "https://evil.cloudflareaccess.com" }), /issuer/],
      // Signed by another key that claims Access's kid: a forged assertion.
      [await token(await signer("cf-1"), { email: "boss@acme.test" }, { aud: AUD_TAG, iss: `https://${TEAM}` }), /signature/],
    ];
    for (const [a, why] of cases) {
      const res = await admin("/team/list", a);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(why);
    }
    const call = await withEnv(CFG, "/v1/chat/completions", {
      method: "POST",
      key: null,
      headers: { "cf-access-jwt-assertion": await assertion("boss@acme.test") },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }),
    });
    expect(call.status).toBe(401);
    // Without cloudflare_access in the config the header means nothing.
    expect((await withEnv({}, "/team/list", { key: null, headers: { "cf-access-jwt-assertion": await assertion("boss@acme.test") } })).status).toBe(401);
  });
});
