import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { Env } from "../env";
import { forbidden, unauthorized } from "./errors";

/**
 * The admin UI's session: a cookie `exp.nonce.sig` signed with HMAC-SHA256 (WebCrypto) under
 * UI_SESSION_SECRET, else under a key derived from the master key and the UI password (changing
 * either signs everyone out). It authenticates admin routes only, never model calls. A second,
 * readable cookie carries the CSRF token (an HMAC of the nonce under another label), which the
 * UI echoes in `x-switchyard-csrf` on every state-changing call.
 */
export const SESSION_COOKIE = "switchyard_session";
export const CSRF_COOKIE = "switchyard_csrf";
export const CSRF_HEADER = "x-switchyard-csrf";
export const SESSION_SECONDS = 12 * 3600;

let cachedKey: { material: string; key: CryptoKey } | undefined;

async function signingKey(env: Env, masterKey: string): Promise<CryptoKey> {
  const material = env.UI_SESSION_SECRET ? `secret:${env.UI_SESSION_SECRET}` : `derived:${masterKey}\n${env.UI_USERNAME ?? ""}\n${env.UI_PASSWORD ?? ""}`;
  if (cachedKey?.material === material) return cachedKey.key;
  const raw = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`switchyard-ui-session\n${material}`));
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  cachedKey = { material, key };
  return key;
}

const b64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

function fromB64url(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(s)) return undefined;
  try {
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return undefined;
  }
}

const enc = (s: string) => new TextEncoder().encode(s);

async function csrfFor(key: CryptoKey, nonce: string): Promise<string> {
  return b64url(await crypto.subtle.sign("HMAC", key, enc(`csrf.${nonce}`)));
}

interface Session {
  token: string;
  csrf: string;
  expires: number;
  /** Seconds the cookies live. */
  maxAge: number;
}

/** Whose session it is: the master key's (no user), or an internal user signed in through Cloudflare Access. */
interface SessionSubject {
  userId?: string;
}

/**
 * A new session valid for SESSION_SECONDS from `now` (ms), or until `until` (ms) when sooner.
 * A user's session signs the user id in (`exp.nonce.u<id>.sig`); the master key's carries none.
 */
export async function createSession(env: Env, masterKey: string, now = Date.now(), subject: SessionSubject & { until?: number } = {}): Promise<Session> {
  const key = await signingKey(env, masterKey);
  const start = Math.floor(now / 1000);
  const exp = Math.min(start + SESSION_SECONDS, subject.until ? Math.floor(subject.until / 1000) : Number.POSITIVE_INFINITY);
  const nonce = b64url(crypto.getRandomValues(new Uint8Array(18)));
  const sub = subject.userId === undefined ? "" : `u${b64url(enc(subject.userId))}`;
  const payload = sub ? `s2.${exp}.${nonce}.${sub}` : `s1.${exp}.${nonce}`;
  const sig = b64url(await crypto.subtle.sign("HMAC", key, enc(payload)));
  return { token: sub ? `${exp}.${nonce}.${sub}.${sig}` : `${exp}.${nonce}.${sig}`, csrf: await csrfFor(key, nonce), expires: exp * 1000, maxAge: Math.max(0, exp - start) };
}

/** The session's nonce (and user) when the token is genuine and unexpired; undefined otherwise. */
async function verifySession(env: Env, masterKey: string, token: string): Promise<(SessionSubject & { nonce: string; key: CryptoKey }) | undefined> {
  const now = Date.now();
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{16,64})(?:\.(u[A-Za-z0-9_-]{1,700}))?\.([A-Za-z0-9_-]{16,128})$/.exec(token);
  if (!m) return undefined;
  const [, exp, nonce, sub, sig] = m as unknown as [string, string, string, string | undefined, string];
  const sigBytes = fromB64url(sig);
  if (!sigBytes) return undefined;
  const key = await signingKey(env, masterKey);
  // crypto.subtle.verify compares in constant time.
  if (!(await crypto.subtle.verify("HMAC", key, sigBytes, enc(sub ? `s2.${exp}.${nonce}.${sub}` : `s1.${exp}.${nonce}`)))) return undefined;
  if (Number(exp) * 1000 <= now) return undefined;
  if (!sub) return { nonce, key };
  const id = fromB64url(sub.slice(1));
  return id ? { nonce, key, userId: new TextDecoder().decode(id) } : undefined;
}

/** Whose session the request's cookie is (undefined without a genuine, unexpired one); never throws. */
export async function readSession(env: Env, masterKey: string, headers: Headers): Promise<SessionSubject | undefined> {
  const token = readCookie(headers, SESSION_COOKIE);
  const session = token ? await verifySession(env, masterKey, token) : undefined;
  return session ? (session.userId === undefined ? {} : { userId: session.userId }) : undefined;
}

/** The value of one cookie from the Cookie header. */
function readCookie(headers: Headers, name: string): string | undefined {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Set-Cookie values for a new session, or (without one) for clearing it. */
export function sessionCookies(session?: Session): string[] {
  const attrs = "Path=/; Secure; SameSite=Strict";
  if (!session) {
    return [`${SESSION_COOKIE}=; ${attrs}; HttpOnly; Max-Age=0`, `${CSRF_COOKIE}=; ${attrs}; Max-Age=0`];
  }
  return [`${SESSION_COOKIE}=${session.token}; ${attrs}; HttpOnly; Max-Age=${session.maxAge}`, `${CSRF_COOKIE}=${session.csrf}; ${attrs}; Max-Age=${session.maxAge}`];
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses a request another site made the browser send: `Sec-Fetch-Site` other than
 * same-origin/none, or an `Origin` that is not the gateway's own.
 */
export function checkSameOrigin(c: Context<AppEnv>): void {
  const site = c.req.header("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") throw forbidden("Cross-site requests are refused.", "csrf_failed");
  const origin = c.req.header("origin");
  if (origin && origin !== new URL(c.req.url).origin) throw forbidden("Cross-site requests are refused.", "csrf_failed");
}

/**
 * The UI session cookie's subject, when the request has one and no API key (undefined without a
 * cookie). A forged or expired cookie is a 401; a state-changing call without the CSRF token, or
 * sent by another site, is a 403.
 */
export async function sessionPrincipal(c: Context<AppEnv>, masterKey: string): Promise<SessionSubject | undefined> {
  const token = readCookie(c.req.raw.headers, SESSION_COOKIE);
  if (!token) return undefined;
  const session = await verifySession(c.env, masterKey, token);
  if (!session) throw unauthorized("The UI session has expired or is not valid: sign in again.");
  if (!SAFE.has(c.req.method)) {
    checkSameOrigin(c);
    const presented = c.req.header(CSRF_HEADER);
    const expected = await csrfFor(session.key, session.nonce);
    if (!presented || !timingSafeEqual(presented, expected)) {
      throw forbidden(`A state-changing call with the UI session needs the '${CSRF_HEADER}' header.`, "csrf_failed");
    }
  }
  return session.userId === undefined ? {} : { userId: session.userId };
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
