import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { estimateInputTokens } from "../formats/anthropic/count";
import { nativeRequest } from "../formats/anthropic/native";
import { countTokensSchema, parseAnthropic } from "../formats/anthropic/schema";
import { forbidden, modelNotFound, upstreamUnreadable } from "../http/errors";
import { readJson } from "../http/json";
import { modelAllowed } from "../limits/guard-state";
import { modelsOf } from "../limits/subjects";
import { providerFor } from "../providers/registry";
import { accessGroupsOf, resolveGroup } from "../router/groups";
import { callUpstream, readBody } from "../gateway/upstream";

/**
 * POST /v1/messages/count_tokens: `{input_tokens}`. A model served by Anthropic is counted by
 * Anthropic's own endpoint (free, exact); any other is estimated from characters. Not a model
 * call: no rate-limit slot, no spend.
 */
export async function countTokens(c: Context<AppEnv>): Promise<Response> {
  const raw = (await readJson(c)) as Record<string, unknown>;
  const req = parseAnthropic(countTokensSchema, raw);
  const config = c.get("config");
  const group = resolveGroup(config, req.model);
  if (!group) throw modelNotFound(req.model);
  const principal = c.get("principal");
  if (principal.kind === "key" && !modelAllowed(modelsOf(principal.key.models), req.model, accessGroupsOf(group.deployments))) {
    throw forbidden(`This key is not allowed to call the model '${req.model}'.`, "key_model_access_denied");
  }
  const dep = group.deployments.find((d) => !d.error);
  const provider = dep && providerFor(dep.provider);
  if (dep && provider?.native?.countTokens) {
    const sent = await callUpstream(nativeRequest(raw, dep, c.req.raw.headers, "/count_tokens"), dep.timeoutMs ?? config.settings.requestTimeoutMs);
    try {
      const text = await readBody(sent.response, dep.timeoutMs);
      if (!sent.response.ok) throw provider.chat.error(sent.response.status, text, sent.response.headers, dep);
      let count: unknown;
      try {
        count = (JSON.parse(text) as { input_tokens?: unknown }).input_tokens;
      } catch {
        /* answered below */
      }
      if (typeof count !== "number") throw upstreamUnreadable("The upstream's token count has no 'input_tokens'.");
      return c.json({ input_tokens: count });
    } finally {
      sent.done();
    }
  }
  return c.json({ input_tokens: estimateInputTokens(req) });
}
