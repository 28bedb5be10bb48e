import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { CallContext } from "./types";

/** The call context of an HTTP request: its bindings, config, caller, id, lifetime and abort signal. */
export function httpCallContext(c: Context<AppEnv>): CallContext {
  return {
    env: c.env,
    config: c.get("config"),
    principal: c.get("principal"),
    requestId: c.get("requestId"),
    waitUntil: (p) => c.executionCtx.waitUntil(p),
    signal: c.req.raw.signal,
    clientHeaders: c.req.raw.headers,
  };
}
