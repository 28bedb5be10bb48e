import type { Deployment } from "../../config/deployment";
import { configError, GatewayError } from "../../http/errors";
import { translateStream } from "../../http/sse";
import { compatBody, compatEmbeddingsAdapter, compatError, compatResponse, compatStreamTranslator } from "../openai-compat/adapter";
import type { ChatAdapter, EmbeddingsAdapter, ProviderEntry } from "../types";

/** The GA api-version used when a deployment names none. */
export const DEFAULT_API_VERSION = "2024-10-21";

/** Azure's v1 API (model in the body, no api-version needed) when api_version says so. */
const isV1 = (v: string | undefined) => v === "v1" || v === "latest" || v === "preview";

function base(dep: Deployment): string {
  if (!dep.apiBase) throw configError(`Azure deployment '${dep.id}' needs api_base (https://<resource>.openai.azure.com).`);
  return dep.apiBase.replace(/\/+$/, "").replace(/\/openai(\/v1)?$/, "");
}

/**
 * `{api_base}/openai/deployments/{deployment}/{path}?api-version=...` (the deployment is the model
 * name after `azure/`), or Azure's v1 form `{api_base}/openai/v1/{path}` when api_version is
 * v1/latest/preview (LiteLLM's rule).
 */
export function azureUrl(dep: Deployment, path: string): string {
  const v = dep.apiVersion;
  if (isV1(v)) return `${base(dep)}/openai/v1/${path}${v === "preview" ? "?api-version=preview" : ""}`;
  return `${base(dep)}/openai/deployments/${encodeURIComponent(dep.model)}/${path}?api-version=${encodeURIComponent(v ?? DEFAULT_API_VERSION)}`;
}

/** `api-key`, or `Authorization: Bearer` with an Entra ID token (litellm_params.azure_ad_token). */
export function azureHeaders(dep: Deployment, json = true): Headers {
  const h = new Headers(json ? { "content-type": "application/json" } : {});
  const ad = dep.params.azure_ad_token;
  if (typeof ad === "string" && ad) h.set("authorization", `Bearer ${ad}`);
  else if (dep.apiKey) h.set("api-key", dep.apiKey);
  return h;
}

/** Azure's errors are OpenAI-shaped; a content-filter refusal (code content_filter) is content_policy_violation. */
export function azureError(status: number, text: string, headers: Headers, dep: Deployment): GatewayError {
  const err = compatError(status, text, headers, dep);
  if (err.code === "content_filter" || /content management policy|content_filter/i.test(err.message)) {
    return new GatewayError(400, err.message, "invalid_request_error", "content_policy_violation", err.param, err.headers);
  }
  return err;
}

const quirks = { streamUsage: true };

export const azureChat: ChatAdapter = {
  request(req, dep) {
    return new Request(azureUrl(dep, "chat/completions"), { method: "POST", headers: azureHeaders(dep), body: JSON.stringify(compatBody(req, dep, quirks)) });
  },
  response: (text) => compatResponse(text),
  stream(body, _dep, ctx, sink) {
    return translateStream(body, compatStreamTranslator(ctx, sink), (o) => sink.end(o));
  },
  error: azureError,
};

export const azureEmbeddings: EmbeddingsAdapter = {
  request(req, dep) {
    const body: Record<string, unknown> = { ...req, model: dep.model };
    for (const f of ["drop_params", "metadata", "fallbacks", "num_retries", "input_type"]) delete body[f];
    return new Request(azureUrl(dep, "embeddings"), { method: "POST", headers: azureHeaders(dep), body: JSON.stringify(body) });
  },
  response: compatEmbeddingsAdapter(quirks).response,
  error: azureError,
};

export const azureProvider: ProviderEntry = {
  chat: azureChat,
  embeddings: azureEmbeddings,
  passthrough: { url: (dep, path) => azureUrl(dep, path), headers: (dep) => azureHeaders(dep, false), error: azureError },
  params: ["azure_ad_token"],
  requiresApiBase: true,
  requiresApiKey: false,
  priceProvider: "azure",
  check: (dep) =>
    dep.apiKey || (typeof dep.params.azure_ad_token === "string" && dep.params.azure_ad_token)
      ? undefined
      : `Azure deployment '${dep.id}' of model '${dep.modelName}' has no credentials: set api_key (os.environ/AZURE_API_KEY) or azure_ad_token.`,
};
