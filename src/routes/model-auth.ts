import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { recordRefusal, routeName } from "../gateway/refusal";
import { KeyRefused } from "../http/auth";
import { GatewayError } from "../http/errors";
import { requireAuth } from "../http/middleware";

const auth = requireAuth("model");

/**
 * modelAuth for the model routes, and a call it refuses (no key, an unknown, expired
 * or deleted key, a key not allowed the route) still leaves a failure row and counts in the
 * metrics, as LiteLLM counts it; rows without a known key are bounded (src/gateway/refusal.ts).
 * The body is not read for it: such a row names no model.
 */
export const modelAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const start = Date.now();
  let authed = false;
  try {
    return await auth(c, () => {
      authed = true;
      return next();
    });
  } catch (e) {
    if (!authed && e instanceof GatewayError) {
      const principal = c.get("principal");
      recordRefusal({
        env: c.env,
        config: c.get("config"),
        waitUntil: (p) => c.executionCtx.waitUntil(p),
        requestId: c.get("requestId"),
        clientHeaders: c.req.raw.headers,
        route: routeName(c.req.routePath),
        model: "",
        ...(principal ? { principal } : {}),
        ...(e instanceof KeyRefused ? { key: e.key } : {}),
        start,
        error: e,
      });
    }
    throw e;
  }
};
