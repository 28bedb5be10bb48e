import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { cacheHooks } from "../cache/hooks";
import type { CallContext } from "./types";

/** The call context of an HTTP request: its bindings, config, caller, id, lifetime and abort signal. */
export function httpCallContext(c: Context<AppEnv>): CallContext {
  const config = c.get("config");
  const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  return {
    env: c.env,
    config,
    principal: c.get("principal"),
    requestId: c.get("requestId"),
    waitUntil,
    signal: c.req.raw.signal,
    clientHeaders: c.req.raw.headers,
    // Only when litellm_settings.cache is on (undefined otherwise: no cost to a call).
    hooks: config.settings.cache ? cacheHooks(config, c.env, c.req.raw.headers, waitUntil) : undefined,
  };
}
