import { Hono } from "hono";
import * as z from "zod/mini";
import type { AppEnv } from "../app-env";
import { formatPath } from "../config/schema";
import { configError, GatewayError, invalidRequest, rateLimited, unauthorized } from "../http/errors";
import { loginFailed, loginWait } from "../limits/login-guard";
import { readJson } from "../http/json";
import { checkSameOrigin, createSession, readSession, sessionCookies } from "../http/session";
import { db } from "../db/client";
import { findUser } from "../db/users";
import { accessUser } from "../identity/access";
import { routesOf } from "../http/actor";
import { keyFromHeaders } from "../http/key-header";
import { requireAuth } from "../http/middleware";
import securityHeaders from "../http/ui-security-headers.json";

/**
 * The admin UI. Its files are Workers Static Assets under /ui/ (served before the Worker runs,
 * with ui/dist/_headers); the Worker only sees /ui paths that match no file: page URLs of the
 * single-page app (answered with its index.html) and the session sign-in/out pair.
 */
export const uiPages = new Hono<AppEnv>();
export const uiSession = new Hono<AppEnv>();

const notFound = () => new GatewayError(404, "This route does not exist on the gateway.", "invalid_request_error", "not_found");

/** /ui/<page>: the app's index.html with the UI's security headers; a missing file is a 404. */
uiPages.get("/ui/*", async (c, next) => {
  const path = c.req.path;
  if (path.startsWith("/ui/api/")) return next();
  if (/\.[A-Za-z0-9]+$/.test(path)) throw notFound();
  if (!c.env.ASSETS) throw configError("The admin UI is not available: this Worker has no ASSETS binding (build it with `npm run build`).");
  const index = await c.env.ASSETS.fetch(new Request(new URL("/ui/", c.req.url)));
  if (!index.ok) throw configError("The admin UI is not built: run `npm run build` (or `node scripts/ui-build.mjs`).");
  const headers = new Headers(index.headers);
  for (const [k, v] of Object.entries(securityHeaders)) headers.set(k, v);
  headers.set("cache-control", "no-cache");
  return new Response(index.body, { status: 200, headers });
});

const loginSchema = z.strictObject({
  username: z.optional(z.nullable(z.string().check(z.maxLength(256)))),
  password: z.string().check(z.minLength(1), z.maxLength(4096)),
});

async function digest(s: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)));
}

/** Compares two secrets through their SHA-256, without an early exit. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([digest(a), digest(b)]);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

/** Signs in with the master key, or UI_USERNAME / UI_PASSWORD; sets the session cookies. */
uiSession.post("/ui/api/login", async (c) => {
  checkSameOrigin(c);
  const config = c.get("config");
  if (!config.masterKey) throw configError(config.masterKeyError ?? "No master key is set: set the MASTER_KEY secret to use the admin UI.");
  const parsed = loginSchema.safeParse(await readJson(c));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.code === "unrecognized_keys" ? issue.keys[0]! : formatPath(issue.path) || "password";
    throw invalidRequest(
      issue.code === "unrecognized_keys" ? `Unknown field '${param}': send 'password' (the master key or UI_PASSWORD) and optionally 'username'.` : `Invalid value for '${param}': ${issue.message}`,
      param,
    );
  }
  const { username, password } = parsed.data;
  const env = c.env;
  // Guessing is slowed to LOGIN_FAILURES_PER_MINUTE failures per client address: past it, even
  // the right password waits (checked before the password is).
  const ip = c.req.header("cf-connecting-ip") ?? "unknown";
  const wait = await loginWait(env, ip);
  if (wait > 0) throw rateLimited(`Too many failed sign-ins from this address; retry after ${wait}s.`, wait);
  const byMaster = await sameSecret(password, config.masterKey);
  const byUser = !!env.UI_USERNAME && !!env.UI_PASSWORD && !!username && (await sameSecret(username, env.UI_USERNAME)) && (await sameSecret(password, env.UI_PASSWORD));
  if (!byMaster && !byUser) {
    await loginFailed(env, ip);
    throw unauthorized("Wrong username or password.");
  }
  const session = await createSession(env, config.masterKey);
  c.header("cache-control", "no-store");
  for (const cookie of sessionCookies(session)) c.header("set-cookie", cookie, { append: true });
  return c.json({ signed_in: true, expires_at: new Date(session.expires).toISOString(), csrf_token: session.csrf, user_id: null, user_role: "proxy_admin" });
});

/**
 * Signs in with Cloudflare Access: the `Cf-Access-Jwt-Assertion` header Access adds in front of
 * the gateway, verified as on the admin API (identity/access.ts); its email names the user whose
 * role the session carries. The session ends no later than the assertion.
 */
uiSession.post("/ui/api/login/access", async (c) => {
  checkSameOrigin(c);
  const config = c.get("config");
  if (!config.masterKey) throw configError(config.masterKeyError ?? "No master key is set: set the MASTER_KEY secret to use the admin UI.");
  const access = config.settings.access;
  if (!access) throw invalidRequest("Cloudflare Access sign-in is not configured on this gateway (general_settings.cloudflare_access).", null, "access_not_configured");
  const assertion = c.req.header("cf-access-jwt-assertion")?.trim();
  if (!assertion) throw unauthorized("This request carries no Cloudflare Access assertion (Cf-Access-Jwt-Assertion): open the UI through your Access application.");
  const { user, exp } = await accessUser(assertion, c.env, access);
  const session = await createSession(c.env, config.masterKey, Date.now(), { userId: user.userId, until: exp });
  c.header("cache-control", "no-store");
  for (const cookie of sessionCookies(session)) c.header("set-cookie", cookie, { append: true });
  return c.json({ signed_in: true, expires_at: new Date(session.expires).toISOString(), csrf_token: session.csrf, user_id: user.userId, user_role: user.userRole });
});

/**
 * Who the UI is signed in as, and the sign-in ways on offer (the sign-in page reads it):
 * `{signed_in, user_id, user_role, cloudflare_access, access_assertion}`, and once signed in the
 * caller's `role`, the teams it is an admin of (`team_admin_of`) and `routes`, every admin route
 * (`"POST /key/update"`) its grants allow, so the UI hides what it may not use. Never an error for
 * a missing or stale cookie: `signed_in: false`. A key sent instead of a cookie is answered for
 * that key (a bad one is a 401).
 */
uiSession.get("/ui/api/session", async (c) => {
  const config = c.get("config");
  c.header("cache-control", "no-store");
  const offered = { cloudflare_access: !!config.settings.access, access_assertion: !!config.settings.access && !!c.req.header("cf-access-jwt-assertion") };
  const signedOut = { signed_in: false, user_id: null, user_role: null, ...offered };
  const withKey = keyFromHeaders(c.req.raw.headers) !== undefined;
  if (!withKey) {
    const subject = config.masterKey ? await readSession(c.env, config.masterKey, c.req.raw.headers) : undefined;
    if (!subject) return c.json(signedOut);
    if (subject.userId !== undefined && !(config.settings.access && (await findUser(db(c.env.DB), subject.userId)))) return c.json(signedOut);
  }
  // The admin routes' own sign-in (key, session cookie), so the grants are exactly what they apply.
  await requireAuth("admin")(c, async () => {});
  const actor = c.get("actor");
  const principal = c.get("principal");
  return c.json({
    signed_in: true,
    user_id: actor.user?.userId ?? (principal.kind === "key" ? principal.key.userId : null),
    user_role: actor.role,
    ...offered,
    role: actor.role,
    team_admin_of: actor.memberships.filter((m) => m.role === "admin").map((m) => m.teamId),
    routes: routesOf(actor),
  });
});

/** Signs out: clears both cookies (the signed token itself lapses at its expiry). */
uiSession.post("/ui/api/logout", (c) => {
  checkSameOrigin(c);
  c.header("cache-control", "no-store");
  for (const cookie of sessionCookies()) c.header("set-cookie", cookie, { append: true });
  return c.json({ signed_in: false });
});

uiSession.all("/ui/api/*", () => {
  throw notFound();
});
