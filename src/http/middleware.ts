import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env";
import { loadConfig } from "../config/load";
import { checkKey } from "../limits/guard-client";
import { authenticate } from "./auth";
import { configError, forbidden, GatewayError } from "./errors";
import { keyFromHeaders } from "./key-header";
import { sessionPrincipal } from "./session";

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
 * `admin`: master key only, or the admin UI's session cookie when no key is sent (never for
 * `model` or `key` routes: a cookie never authenticates a model call).
 */
export const requireAuth =
  (access: Access): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const config = c.get("config");
    if (access === "admin" && config.masterKey && !keyFromHeaders(c.req.raw.headers) && (await sessionPrincipal(c, config.masterKey))) {
      c.set("principal", { kind: "master" });
      return next();
    }
    const principal = await authenticate(c.req.raw.headers, c.env, c.get("config"));
    if (access === "admin" && principal.kind !== "master") throw forbidden("This route needs the master key.");
    if (access === "key" && principal.kind === "key") await checkKey(c.env, principal.key);
    c.set("principal", principal);
    await next();
  };

const limiters = new WeakMap<object, MiddlewareHandler>();

/** Refuses a body over `general_settings.max_request_size_mb` (default 25 MB) with a 413. */
export const limitBody: MiddlewareHandler<AppEnv> = (c, next) => {
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
