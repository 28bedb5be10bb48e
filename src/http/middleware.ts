import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env";
import { loadConfig } from "../config/load";
import { checkKey } from "../limits/guard-client";
import { resolveActor } from "./actor";
import { accessPrincipal, authenticate, sessionUserPrincipal } from "./auth";
import { configError, forbidden, GatewayError } from "./errors";
import { checkKeyRoute } from "./key-access";
import { keyFromHeaders } from "./key-header";
import { ruleFor } from "./roles";
import { checkSameOrigin, sessionPrincipal } from "./session";

/** A fresh id per request, never taken from the client (it keys the spend log). */
export const requestIds: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = crypto.randomUUID();
  c.set("requestId", id);
  await next();
  c.res.headers.set("x-request-id", id);
};

/** Loads the config (503 when it is invalid) for every route behind it. */
export const withConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = await loadConfig(c.env, (p) => c.executionCtx.waitUntil(p));
  if (config.error) throw configError(config.error);
  c.set("config", config);
  await next();
};

type Access = "model" | "key" | "admin";

/**
 * Authenticates the caller. `model`: master key or a virtual key (the model call admits it);
 * `key`: a virtual key is checked with its guard first (revocation is immediate);
 * `admin`: the route's row in the role table (src/http/roles.ts) decides, after the key's guard;
 * the admin UI's session cookie (when no key is sent) is the master key's or a signed-in user's,
 * for admin routes only (a cookie never authenticates a model call). A key's key_type and allowed_routes apply to every route.
 */
export const requireAuth =
  (access: Access): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const config = c.get("config");
    const session = access === "admin" && config.masterKey && !keyFromHeaders(c.req.raw.headers) ? await sessionPrincipal(c, config.masterKey) : undefined;
    if (session) {
      // The master key's session, or a user's (Cloudflare Access sign-in): that user's role applies.
      const principal = session.userId === undefined ? ({ kind: "master" } as const) : await sessionUserPrincipal(session.userId, c.env, config, { method: c.req.method, path: c.req.path });
      c.set("principal", principal);
      c.set("actor", await resolveActor(c.env, principal, ruleFor(c.req.method, c.req.routePath)));
      return next();
    }
    const at = { method: c.req.method, path: c.req.path, ...(access === "admin" ? {} : { model: () => bodyModel(c) }) };
    // Behind Cloudflare Access, an admin route sent without a key signs in with the Access assertion.
    const viaAccess = access === "admin" && !keyFromHeaders(c.req.raw.headers) ? await accessPrincipal(c.req.raw.headers, c.env, config, at) : undefined;
    // Access adds its assertion to every browser request, other sites' included: a change must come from this origin.
    if (viaAccess && !["GET", "HEAD", "OPTIONS"].includes(c.req.method)) checkSameOrigin(c);
    const principal = viaAccess ?? (await authenticate(c.req.raw.headers, c.env, config, at));
    c.set("principal", principal);
    if (principal.kind === "master" && principal.via && access !== "admin") {
      throw forbidden("A token with the admin scope may call admin routes only (LiteLLM's admin_allowed_routes); call models with a token that names a team or a user.");
    }
    // A caller without a stored key (JWT, custom auth) has no key guard: its team, user and org guards admit its calls.
    const stored = principal.kind === "key" && !principal.via;
    if (principal.kind === "key" && principal.via === "jwt" && !principal.key.teamId && !principal.key.userId && access !== "admin") {
      throw forbidden("This token names no team and no user, only an admin role: it may call admin routes only.");
    }
    if (access === "admin") {
      const rule = ruleFor(c.req.method, c.req.routePath);
      if (principal.kind === "key") {
        if (stored) await checkKey(c.env, principal.key);
        checkKeyRoute(principal.key, c.req.path, rule.write ? "admin-write" : "admin-read");
      }
      c.set("actor", await resolveActor(c.env, principal, rule));
    } else if (principal.kind === "key") {
      checkKeyRoute(principal.key, c.req.path, "llm");
      if (access === "key" && stored) await checkKey(c.env, principal.key);
    }
    await next();
  };

/**
 * The `model` of a JSON request body, read from a copy (the handler reads the body itself later);
 * undefined for other bodies. Asked only when a JWT's teams must be chosen by model.
 */
async function bodyModel(c: Context<AppEnv>): Promise<string | undefined> {
  if (!(c.req.header("content-type") ?? "").includes("json")) return undefined;
  try {
    const body = (await c.req.raw.clone().json()) as { model?: unknown } | null;
    return typeof body?.model === "string" ? body.model : undefined;
  } catch {
    return undefined;
  }
}

const limiters = new WeakMap<object, MiddlewareHandler>();

/** Uploads to /v1/files have their own limit (general_settings.max_file_size_mb), counted as they stream. */
const FILE_UPLOAD = /^(\/v1)?\/files\/?$/;

/** Refuses a body over `general_settings.max_request_size_mb` (default 25 MB) with a 413. */
export const limitBody: MiddlewareHandler<AppEnv> = (c, next) => {
  if (FILE_UPLOAD.test(c.req.path)) return next();
  const settings = c.get("config").settings;
  let limiter = limiters.get(settings);
  if (!limiter) {
    const maxSize = settings.maxRequestBytes;
    limiter = bodyLimit({
      maxSize,
      onError: () => {
        throw new GatewayError(413, `The request body is larger than the limit of ${maxSize} bytes.`, "invalid_request_error", "request_too_large");
      },
    });
    limiters.set(settings, limiter);
  }
  return limiter(c as Context, next);
};
