import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { passThroughFor } from "../config/pass-through";
import { httpCallContext } from "../gateway/context";
import { forwardPassThrough } from "../gateway/pass-through";
import { authenticate } from "../http/auth";
import { checkKeyRoute } from "../http/key-access";
import { checkKey } from "../limits/guard-client";

/**
 * general_settings.pass_through_endpoints: a request whose path (and method) an entry serves goes
 * to its target, behind a virtual key (or the master key), before the gateway's own routes (an
 * entry may take a model route's path, as LiteLLM's `/v1/rerank` example does). Costs nothing when
 * the config has no entries.
 */
export const passThroughRoutes: MiddlewareHandler<AppEnv> = async (c, next) => {
  const endpoints = c.get("config").settings.passThrough;
  if (!endpoints.length) return next();
  const ep = passThroughFor(endpoints, c.req.path, c.req.method);
  if (!ep) return next();
  const principal = await authenticate(c.req.raw.headers, c.env, c.get("config"));
  if (principal.kind === "key") {
    checkKeyRoute(principal.key, c.req.path, "llm");
    await checkKey(c.env, principal.key);
  }
  c.set("principal", principal);
  return forwardPassThrough(httpCallContext(c), ep, c.req.raw);
};
