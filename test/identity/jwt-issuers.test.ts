import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetPrincipalCache } from "../../src/identity/jwt/cache";
import { resetJwksCache } from "../../src/identity/jwt/jwks";
import { post } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { chatWith, completion, jwtConfig, signer, token, type Signer } from "./jwt-helpers";

/** Two identity providers, each with its own key pair, JWKS URL, issuer and audience. */
const A = { iss: "https://idp-a.test/realms/acme", jwks: "https://idp-a.test/certs", aud: "sy-a" };
const B = { iss: "https://idp-b.test", jwks: "https://idp-b.test/.well-known/jwks.json", aud: "sy-b" };
let a: Signer;
let b: Signer;
let fetches: Record<string, number>;

beforeAll(async () => {
  a = await signer("a-1");
  b = await signer("b-1", "ES256");
  await post("/team/new", { team_id: "iss-team", models: ["gpt-4o-mini"] });
  await post("/user/new", { user_id: "iss-user", auto_create_key: false });
});
beforeEach(() => {
  resetJwksCache();
  resetPrincipalCache();
  fetches = { a: 0, b: 0 };
  fakeUpstream("https://idp-a.test/", () => {
    fetches.a = (fetches.a ?? 0) + 1;
    return json({ keys: [a.jwk] });
  });
  fakeUpstream("https://idp-b.test/", () => {
    fetches.b = (fetches.b ?? 0) + 1;
    return json({ keys: [b.jwk] });
  });
  fakeUpstream("https://api.openai.test/v1", () => completion());
});
afterEach(resetUpstreams);

const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; code: string } }).error;
const NO_GLOBAL = { JWT_PUBLIC_KEY_URL: undefined, JWT_AUDIENCE: undefined };
const ISSUERS = {
  ...NO_GLOBAL,
  GATEWAY_CONFIG: jwtConfig({
    issuers: [
      { issuer: A.iss, jwks_url: A.jwks, audience: A.aud, team_id_jwt_field: "client_id" },
      // The second provider's `sub` names a user (per-issuer claim names).
      { issuer: B.iss, jwks_url: B.jwks, audience: B.aud, user_id_jwt_field: "sub" },
    ],
  }),
};

describe("several identity providers (litellm_jwtauth.issuers, a comma-separated JWT_PUBLIC_KEY_URL)", () => {
  it("each token is verified against the issuer it names, with that issuer's keys, audience and claim names", async () => {
    expect((await chatWith(ISSUERS, await token(a, { client_id: "iss-team" }, { iss: A.iss, aud: A.aud }))).status).toBe(200);
    expect((await chatWith(ISSUERS, await token(b, { sub: "iss-user" }, { iss: B.iss, aud: B.aud }))).status).toBe(200);
    // Keys are fetched and cached per URL.
    expect((await chatWith(ISSUERS, await token(a, { client_id: "iss-team", n: 2 }, { iss: A.iss, aud: A.aud }))).status).toBe(200);
    expect(fetches).toEqual({ a: 1, b: 1 });

    const refused: Array<[Promise<string>, RegExp]> = [
      // Signed by B's key but claiming A's issuer (and the reverse): A's keys do not verify it.
      [token(b, { client_id: "iss-team" }, { iss: A.iss, aud: A.aud }), /kid/],
      [token(a, { sub: "iss-user" }, { iss: B.iss, aud: B.aud }), /kid/],
      // A forged key that reuses A's kid: the signature does not verify with A's key.
      [signer("a-1").then((forged) => token(forged, { client_id: "iss-team" }, { iss: A.iss, aud: A.aud })), /signature/],
      // The right issuer, another issuer's audience.
      [token(a, { client_id: "iss-team" }, { iss: A.iss, aud: B.aud }), /audience \(aud\) is not 'sy-a'/],
      // An issuer nobody configured, or none at all: refused before any fetch.
      [token(a, { client_id: "iss-team" }, { iss: "https://idp-c.test", aud: A.aud }), /issuer \(iss\) 'https:\/\/idp-c.test' is not one of the identity providers/],
      [token(a, { client_id: "iss-team" }, { iss: null, aud: A.aud }), /is not one of the identity providers/],
    ];
    for (const [t, why] of refused) {
      const res = await chatWith(ISSUERS, await t);
      expect(res.status).toBe(401);
      expect((await errorOf(res)).message).toMatch(why);
    }
    expect(received.filter((r) => r.url.startsWith("https://idp-c.test")).length).toBe(0);
    // B's claim names do not apply to A's tokens: a `sub` alone names nobody there.
    expect((await chatWith(ISSUERS, await token(a, { sub: "iss-user" }, { iss: A.iss, aud: A.aud }))).status).toBe(403);
  });

  it("JWT_PUBLIC_KEY_URL as a comma-separated list: a token's kid is found in whichever set holds it", async () => {
    const cfg = { GATEWAY_CONFIG: jwtConfig({ team_id_jwt_field: "client_id" }), JWT_PUBLIC_KEY_URL: `${A.jwks}, ${B.jwks}`, JWT_AUDIENCE: "sy" };
    expect((await chatWith(cfg, await token(a, { client_id: "iss-team" }, { aud: "sy" }))).status).toBe(200);
    expect((await chatWith(cfg, await token(b, { client_id: "iss-team" }, { aud: "sy" }))).status).toBe(200);
    const stranger = await chatWith(cfg, await token(await signer("c-1"), { client_id: "iss-team" }, { aud: "sy" }));
    expect(stranger.status).toBe(401);
    expect((await errorOf(stranger)).message).toMatch(/kid/);
    // litellm_jwtauth.issuer still applies to every token of these URLs.
    const pinned = { ...cfg, GATEWAY_CONFIG: jwtConfig({ team_id_jwt_field: "client_id", issuer: A.iss }) };
    expect((await chatWith(pinned, await token(b, { client_id: "iss-team" }, { iss: A.iss, aud: "sy" }))).status).toBe(200);
    const wrong = await chatWith(pinned, await token(b, { client_id: "iss-team" }, { iss: B.iss, aud: "sy" }));
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).message).toMatch(/issuer/);
  });

  it("an issuer entry that cannot be used safely fails closed; a malformed one is a config error", async () => {
    const t = await token(a, { client_id: "iss-team" }, { iss: A.iss, aud: A.aud });
    const unusable: Array<[Record<string, unknown>, RegExp]> = [
      [{ issuer: A.iss, audience: A.aud }, /issuers\[0\]\.jwks_url is required/],
      [{ issuer: A.iss, jwks_url: A.jwks }, /issuers\[0\]\.audience is required/],
      [{ issuer: A.iss, jwks_url: A.jwks, audience: A.aud, disable_audience_validation: true }, /issuers\[0\]\.disable_audience_validation is not supported/],
    ];
    for (const [entry, why] of unusable) {
      const res = await chatWith({ ...NO_GLOBAL, GATEWAY_CONFIG: jwtConfig({ team_id_jwt_field: "client_id", issuers: [entry] }) }, t);
      expect(res.status).toBe(503);
      expect((await errorOf(res)).message).toMatch(why);
    }
    const malformed: Array<[Record<string, unknown>, RegExp]> = [
      [{ issuers: [{ jwks_url: A.jwks, audience: A.aud }] }, /issuers\[0\]\.issuer: required/],
      [{ issuers: [{ issuer: A.iss, jwks_url: "ftp://x", audience: A.aud }] }, /issuers\[0\]\.jwks_url: must be an http\(s\) URL/],
      [{ issuers: "https://idp-a.test" }, /litellm_jwtauth\.issuers: must be a non-empty list/],
    ];
    for (const [opts, why] of malformed) {
      const res = await chatWith({ ...NO_GLOBAL, GATEWAY_CONFIG: jwtConfig({ team_id_jwt_field: "client_id", ...opts }) }, "sk-test-master");
      expect(res.status).toBe(503);
      expect((await errorOf(res)).message).toMatch(why);
    }
    const badList = await chatWith({ GATEWAY_CONFIG: jwtConfig({ team_id_jwt_field: "client_id" }), JWT_PUBLIC_KEY_URL: `${A.jwks},not-a-url`, JWT_AUDIENCE: "sy" }, t);
    expect(badList.status).toBe(503);
    expect((await errorOf(badList)).message).toMatch(/comma-separated list/);
    expect(fetches).toEqual({ a: 0, b: 0 });
  });
});
