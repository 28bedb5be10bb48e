import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import type { ResolvedConfig } from "../config/resolve";
import { messagesRequestSchema, parseAnthropic } from "../formats/anthropic/schema";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import { GatewayError, invalidRequest, modelNotFound } from "../http/errors";
import { readJson } from "../http/json";
import { requireAuth } from "../http/middleware";
import { modelAuth } from "./model-auth";
import { resolveGroup } from "../router/groups";
import { countTokens } from "./count-tokens";
import { messagesCall } from "./messages";

/**
 * Anthropic's own API under /anthropic (LiteLLM's pass-through route), so Anthropic's SDK works
 * with `baseURL: <gateway>/anthropic` and a virtual key: Messages and count_tokens only, for a
 * model served by Anthropic deployments only (their key injected, the request and the answer
 * as Anthropic's bytes). Errors are in Anthropic's shape (app.onError knows the prefix).
 */
export const anthropicPassthrough = new Hono<AppEnv>();

/** The model must be served by Anthropic, never translated for another provider. */
function anthropicOnly(config: ResolvedConfig, model: unknown): void {
  if (typeof model !== "string" || !model) throw invalidRequest("model: a model name is required.", "model");
  const group = resolveGroup(config, model);
  if (!group) throw modelNotFound(model);
  if (group.deployments.some((d) => d.provider !== "anthropic")) {
    throw invalidRequest(`The model '${model}' is not served by Anthropic deployments only: /anthropic passes requests to Anthropic as they are. Use /v1/messages to call it.`, "model");
  }
}

anthropicPassthrough.post("/anthropic/v1/messages", modelAuth, async (c) => {
  const raw = (await readJson(c)) as Record<string, unknown>;
  anthropicOnly(c.get("config"), raw.model);
  const req = parseAnthropic(messagesRequestSchema, raw);
  return callModel(httpCallContext(c), { ...messagesCall(raw, req, c.get("requestId"), false), route: "anthropic/messages" });
});

anthropicPassthrough.post("/anthropic/v1/messages/count_tokens", requireAuth("key"), async (c) => {
  // readJson reads Hono's cached body text: countTokens reads it again for free.
  const raw = (await readJson(c)) as Record<string, unknown>;
  anthropicOnly(c.get("config"), raw.model);
  return countTokens(c);
});

anthropicPassthrough.all("/anthropic/*", requireAuth("key"), (c) => {
  throw new GatewayError(404, `${c.req.method} ${c.req.path} is not passed through: /anthropic serves POST /v1/messages and /v1/messages/count_tokens only.`, "invalid_request_error", "not_found");
});
