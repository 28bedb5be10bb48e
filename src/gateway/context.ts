import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { cacheHooks } from "../cache/hooks";
import { cacheEmbedder } from "./cache-embed";
import type { CallContext } from "./types";

/** The call context of an HTTP request: its bindings, config, caller, id, lifetime and abort signal. */
export function httpCallContext(c: Context<AppEnv>): CallContext {
  const config = c.get("config");
  const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  const cx: CallContext = {
    env: c.env,
    config,
    principal: c.get("principal"),
    requestId: c.get("requestId"),
    waitUntil,
    signal: c.req.raw.signal,
    clientHeaders: c.req.raw.headers,
  };
  // Only when litellm_settings.cache is on (no hooks otherwise: no cost to a call); a semantic
  // cache embeds prompts through the gateway's own embeddings call.
  const cache = config.settings.cache;
  if (cache) cx.hooks = cacheHooks(config, c.env, c.req.raw.headers, waitUntil, cache.semantic ? cacheEmbedder(cx) : undefined);
  return cx;
}
