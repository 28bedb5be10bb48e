import { describe, expect, it } from "vitest";
import { createSession, CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, SESSION_SECONDS } from "../../src/http/session";
import { env, gw, MASTER, withEnv } from "../helpers/gateway";
import { received, resetUpstreams } from "../helpers/upstream";

const json = { "content-type": "application/json" };

function login(body: unknown, headers: Record<string, string> = {}) {
  return gw("/ui/api/login", { method: "POST", key: null, headers: { ...json, ...headers }, body: JSON.stringify(body) });
}

/** Signs in with the master key; returns the cookie header to send and the CSRF token. */
async function signIn(): Promise<{ cookie: string; csrf: string }> {
  const res = await login({ password: MASTER });
  expect(res.status).toBe(200);
  const cookies = res.headers.getSetCookie();
  const pick = (name: string) => cookies.find((c) => c.startsWith(`${name}=`))!.split(";")[0]!;
  const body = (await res.json()) as { csrf_token: string };
  return { cookie: `${pick(SESSION_COOKIE)}; ${pick(CSRF_COOKIE)}`, csrf: body.csrf_token };
}

const withCookie = (path: string, cookie: string, init: RequestInit = {}) => gw(path, { ...init, key: null, headers: { ...json, cookie, ...(init.headers as Record<string, string> | undefined) } });

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { message: string; type: string; code: string; param: string | null } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error).toHaveProperty("param");
  expect(body.error).toHaveProperty("type");
  return body.error;
}

describe("UI sign-in", () => {
  it("sets an HttpOnly, Secure, SameSite=Strict session cookie with a 12 h lifetime", async () => {
    const res = await login({ password: MASTER });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/; SameSite=Strict/);
    expect(session).toMatch(new RegExp(`; Max-Age=${SESSION_SECONDS}`));
    expect(SESSION_SECONDS).toBe(12 * 3600);
    const csrf = cookies.find((c) => c.startsWith(`${CSRF_COOKIE}=`))!;
    expect(csrf).not.toMatch(/HttpOnly/);
    expect(csrf).toMatch(/; SameSite=Strict/);
    // The session token is never the master key or anything that contains it.
    expect(cookies.join()).not.toContain(MASTER);
  });

  it("refuses a wrong password with a 401 and sets no cookie", async () => {
    const res = await login({ password: "sk-wrong" });
    expect(res.headers.getSetCookie()).toEqual([]);
    await expectError(res, 401, "invalid_api_key");
    await expectError(await login({ username: "admin", password: "sk-test-maste" }), 401, "invalid_api_key");
  });

  it("answers bad bodies with a 400 naming the field", async () => {
    expect((await expectError(await login({}), 400, "invalid_request_error")).param).toBe("password");
    expect((await expectError(await login({ password: MASTER, remember: true }), 400, "invalid_request_error")).param).toBe("remember");
    expect((await expectError(await login({ password: 42 }), 400, "invalid_request_error")).param).toBe("password");
    const notJson = await gw("/ui/api/login", { method: "POST", key: null, headers: json, body: "password=x" });
    await expectError(notJson, 400, "invalid_request_error");
  });

  it("takes UI_USERNAME / UI_PASSWORD, and only together", async () => {
    const ui = { UI_USERNAME: "ops", UI_PASSWORD: "correct horse battery" };
    const post = (body: unknown) => withEnv(ui, "/ui/api/login", { method: "POST", key: null, body: JSON.stringify(body) });
    expect((await post({ username: "ops", password: "correct horse battery" })).status).toBe(200);
    expect((await post({ username: "admin", password: "correct horse battery" })).status).toBe(401);
    expect((await post({ password: "correct horse battery" })).status).toBe(401);
    expect((await post({ username: "ops", password: "wrong" })).status).toBe(401);
    // Without the bindings, the username/password pair means nothing.
    expect((await login({ username: "ops", password: "correct horse battery" })).status).toBe(401);
  });

  it("refuses a sign-in posted by another site", async () => {
    await expectError(await login({ password: MASTER }, { "sec-fetch-site": "cross-site" }), 403, "csrf_failed");
    await expectError(await login({ password: MASTER }, { origin: "https://evil.example" }), 403, "csrf_failed");
  });

  it("signs out by clearing both cookies", async () => {
    const { cookie } = await signIn();
    const res = await withCookie("/ui/api/logout", cookie, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    const cleared = res.headers.getSetCookie();
    expect(cleared.find((c) => c.startsWith(`${SESSION_COOKIE}=;`))).toMatch(/Max-Age=0/);
    expect(cleared.find((c) => c.startsWith(`${CSRF_COOKIE}=;`))).toMatch(/Max-Age=0/);
  });
});

describe("the UI session on admin routes", () => {
  it("authenticates admin routes", async () => {
    const { cookie } = await signIn();
    const res = await withCookie("/key/list?size=1", cookie);
    expect(res.status).toBe(200);
    expect((await withCookie("/spend/logs", cookie)).status).toBe(200);
    await expectError(await gw("/key/list?size=1", { key: null }), 401, "invalid_api_key");
  });

  it("never authenticates a model call or a key route", async () => {
    resetUpstreams();
    const { cookie, csrf } = await signIn();
    const chat = await withCookie("/v1/chat/completions", cookie, {
      method: "POST",
      headers: { [CSRF_HEADER]: csrf },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    });
    await expectError(chat, 401, "invalid_api_key");
    await expectError(await withCookie("/v1/models", cookie), 401, "invalid_api_key");
    // /key/info is an admin route (the role table): the session reads it as the master key would.
    expect((await withCookie("/key/info?key=x", cookie)).status).toBe(404);
    await expectError(
      await withCookie("/v1/embeddings", cookie, { method: "POST", headers: { [CSRF_HEADER]: csrf }, body: JSON.stringify({ model: "gpt-4o-mini", input: "x" }) }),
      401,
      "invalid_api_key",
    );
    expect(received).toEqual([]);
  });

  it("refuses a forged cookie", async () => {
    const { cookie } = await signIn();
    const token = /switchyard_session=([^;]+)/.exec(cookie)![1]!;
    const [exp, nonce, sig] = token.split(".") as [string, string, string];
    const flipped = sig.slice(0, -2) + (sig.endsWith("AA") ? "BB" : "AA");
    await expectError(await withCookie("/key/list", `${SESSION_COOKIE}=${exp}.${nonce}.${flipped}`), 401, "invalid_api_key");
    // A later expiry with the old signature.
    await expectError(await withCookie("/key/list", `${SESSION_COOKIE}=${Number(exp) + 86400}.${nonce}.${sig}`), 401, "invalid_api_key");
    await expectError(await withCookie("/key/list", `${SESSION_COOKIE}=garbage`), 401, "invalid_api_key");
    // A session signed for another gateway (another master key).
    const other = await createSession({ ...env, MASTER_KEY: "sk-other" }, "sk-other");
    await expectError(await withCookie("/key/list", `${SESSION_COOKIE}=${other.token}`), 401, "invalid_api_key");
  });

  it("refuses an expired cookie", async () => {
    const old = await createSession(env, MASTER, Date.now() - (SESSION_SECONDS + 60) * 1000);
    await expectError(await withCookie("/key/list", `${SESSION_COOKIE}=${old.token}`), 401, "invalid_api_key");
    const fresh = await createSession(env, MASTER);
    expect((await withCookie("/key/list", `${SESSION_COOKIE}=${fresh.token}`)).status).toBe(200);
  });

  it("a session signed under UI_SESSION_SECRET does not hold without it", async () => {
    const secret = { UI_SESSION_SECRET: "an-explicit-session-secret" };
    const s = await createSession({ ...env, ...secret }, MASTER);
    const ok = await withEnv(secret, "/key/list", { key: null, headers: { cookie: `${SESSION_COOKIE}=${s.token}` } });
    expect(ok.status).toBe(200);
    await expectError(await withCookie("/key/list", `${SESSION_COOKIE}=${s.token}`), 401, "invalid_api_key");
  });

  it("refuses a state-changing call without the CSRF token, with a wrong one, or from another site", async () => {
    const { cookie, csrf } = await signIn();
    const generate = (headers: Record<string, string>) => withCookie("/key/generate", cookie, { method: "POST", headers, body: JSON.stringify({ key_alias: "from-ui" }) });
    await expectError(await generate({}), 403, "csrf_failed");
    await expectError(await generate({ [CSRF_HEADER]: csrf.slice(0, -1) + (csrf.endsWith("A") ? "B" : "A") }), 403, "csrf_failed");
    const other = await signIn();
    expect(other.csrf).not.toBe(csrf);
    await expectError(await generate({ [CSRF_HEADER]: other.csrf }), 403, "csrf_failed");
    await expectError(await generate({ [CSRF_HEADER]: csrf, "sec-fetch-site": "cross-site" }), 403, "csrf_failed");
    await expectError(await generate({ [CSRF_HEADER]: csrf, "sec-fetch-site": "same-site" }), 403, "csrf_failed");
    await expectError(await generate({ [CSRF_HEADER]: csrf, origin: "https://evil.example" }), 403, "csrf_failed");
    const list = (await (await gw("/key/list?size=100&return_full_object=true")).json()) as { keys: Array<{ key_alias: string }> };
    expect(list.keys.some((k) => k.key_alias === "from-ui")).toBe(false);

    const ok = await generate({ [CSRF_HEADER]: csrf, "sec-fetch-site": "same-origin", origin: "http://gw.test" });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { key: string }).key).toMatch(/^sk-/);
  });

  it("an API key in the request wins over the cookie", async () => {
    const { cookie } = await signIn();
    const res = await gw("/key/list", { key: "sk-not-a-key", headers: { cookie } });
    await expectError(res, 401, "invalid_api_key");
  });
});

describe("serving the UI", () => {
  it("answers page URLs under /ui with the app and its security headers", async () => {
    for (const path of ["/ui/keys", "/ui/logs", "/ui/settings/x"]) {
      const res = await gw(path, { key: null });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      const csp = res.headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      const html = await res.text();
      expect(html).toContain('<div id="app">');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
  });

  it("a missing file under /ui is a 404, and so is an unknown /ui/api route", async () => {
    await expectError(await gw("/ui/assets/missing-file.js", { key: null }), 404, "not_found");
    await expectError(await gw("/ui/api/whoami", { key: null }), 404, "not_found");
  });
});

describe("sign-in attempts", () => {
  it("after 10 failed sign-ins a minute from one address, even the right password waits (429); other addresses are not affected", async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    for (let i = 0; i < 10; i++) expect((await login({ password: "sk-guess" }, { "cf-connecting-ip": ip })).status).toBe(401);
    const blocked = await login({ password: MASTER }, { "cf-connecting-ip": ip });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await login({ password: MASTER }, { "cf-connecting-ip": `${ip}0` })).status).toBe(200);
  });

  it("successful sign-ins are not counted", async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    for (let i = 0; i < 12; i++) expect((await login({ password: MASTER }, { "cf-connecting-ip": ip })).status).toBe(200);
  });
});
