import type { Deployment } from "../../config/deployment";
import { configError } from "../../http/errors";

const ACCOUNTS = "https://api.cloudflare.com/client/v4/accounts";

/** The litellm_param naming the Cloudflare account (its value is an id, not a secret). */
export const ACCOUNT_PARAM = "cloudflare_account_id";

const accountOf = (dep: Deployment): string | undefined => {
  const v = dep.params[ACCOUNT_PARAM];
  return typeof v === "string" && v.trim() ? v.trim() : undefined;
};

/**
 * The base of Workers AI's OpenAI-compatible REST API, `.../accounts/{account_id}/ai/v1`
 * (chat/completions and embeddings below it):
 * - api_base naming an account's Workers AI API, `.../accounts/{id}/ai`, `/ai/run` (LiteLLM's
 *   `cloudflare/` api_base, the native API) or `/ai/v1`: that account's `/ai/v1`;
 * - an AI Gateway URL ending in `/workers-ai`: its OpenAI-compatible `/workers-ai/v1`;
 * - any other api_base: as given (LiteLLM's meaning for OpenAI-style APIs: it includes the version);
 * - no api_base: built from litellm_params.cloudflare_account_id.
 */
export function workersAiBase(dep: Deployment): string {
  if (dep.apiBase) {
    const base = dep.apiBase.replace(/\/+$/, "");
    const account = /^(https:\/\/api\.cloudflare\.com\/client\/v4\/accounts\/[^/]+\/ai)(?:\/run|\/v1)?$/.exec(base);
    if (account) return `${account[1]}/v1`;
    if (base.endsWith("/workers-ai")) return `${base}/v1`;
    return base;
  }
  const id = accountOf(dep);
  if (!id) throw configError(accountProblem(dep));
  return `${ACCOUNTS}/${encodeURIComponent(id)}/ai/v1`;
}

const accountProblem = (dep: Deployment) =>
  `Workers AI deployment '${dep.id}' of model '${dep.modelName}' needs litellm_params.${ACCOUNT_PARAM} (e.g. os.environ/CLOUDFLARE_ACCOUNT_ID) or an api_base.`;

/** Checked when the config loads: where to send the calls must be known. */
export const accountCheck = (dep: Deployment): string | undefined => (dep.apiBase || accountOf(dep) ? undefined : accountProblem(dep));

export function workersAiHeaders(dep: Deployment): Headers {
  const h = new Headers({ "content-type": "application/json" });
  if (dep.apiKey) h.set("authorization", `Bearer ${dep.apiKey}`);
  return h;
}
