import { modelSegment } from "../shared/url";
import type { Deployment } from "../../config/deployment";
import { configError } from "../../http/errors";

/**
 * Where an Azure OpenAI deployment is called, and with which credentials.
 *
 * The rule for the two URL forms is LiteLLM's (`BaseAzureLLM._is_azure_v1_api_version`):
 * - api_version `v1`, `latest` or `preview` (any case): Azure's v1 API,
 *   `{api_base}/openai/v1/{path}`, the model (the deployment name) in the body and no
 *   `api-version` query (Azure's v1 API needs none; preview features are opted into by header).
 * - any other api_version, or none: the deployment URL
 *   `{api_base}/openai/deployments/{deployment}/{path}?api-version={api_version}`. With none, a
 *   dated default (LiteLLM also falls back to a dated version, never to v1): the GA 2024-10-21.
 */
export const DEFAULT_API_VERSION = "2024-10-21";

const V1_VERSIONS = new Set(["v1", "latest", "preview"]);

export const isV1 = (dep: Deployment): boolean => dep.apiVersion !== undefined && V1_VERSIONS.has(dep.apiVersion.toLowerCase());

/** LiteLLM's model-family routes (`azure/o_series/<deployment>`, `azure/gpt5_series/<deployment>`) are not part of the name. */
const FAMILY_ROUTE = /^(?:o_series|gpt5_series)\//;

/** The Azure deployment name: the model after `azure/` (and after a LiteLLM family route). */
export const deploymentName = (dep: Deployment): string => dep.model.replace(FAMILY_ROUTE, "");

/** The resource root: api_base without a trailing `/`, `/openai` or `/openai/v1` (LiteLLM's api_base is the host root). */
export function resourceRoot(dep: Deployment): string {
  if (!dep.apiBase) throw configError(`Azure deployment '${dep.id}' needs api_base (https://<resource>.openai.azure.com).`);
  return dep.apiBase.replace(/\/+$/, "").replace(/\/openai(?:\/v1)?$/, "");
}

/** The URL of one Azure OpenAI operation (`chat/completions`, `embeddings`, `audio/speech`, ...). */
export function azureUrl(dep: Deployment, path: string): string {
  const root = resourceRoot(dep);
  if (isV1(dep)) return `${root}/openai/v1/${path}`;
  const version = dep.apiVersion ?? DEFAULT_API_VERSION;
  return `${root}/openai/deployments/${modelSegment(deploymentName(dep))}/${path}?api-version=${encodeURIComponent(version)}`;
}

/**
 * The deployment's credentials: `Authorization: Bearer` with a Microsoft Entra ID token when
 * `azure_ad_token` is set (it wins over api_key, as in the openai SDK's AzureOpenAI client that
 * LiteLLM's chat path uses), else the `api-key` header.
 */
export function azureHeaders(dep: Deployment, json = true): Headers {
  const h = new Headers(json ? { "content-type": "application/json" } : {});
  const token = adToken(dep);
  if (token) h.set("authorization", `Bearer ${token}`);
  else if (dep.apiKey) h.set("api-key", dep.apiKey);
  return h;
}

export function adToken(dep: Deployment): string | undefined {
  const t = dep.params.azure_ad_token;
  return typeof t === "string" && t ? t : undefined;
}

/**
 * Whether the deployment's api-version takes `stream_options` (added in 2024-09-01-preview, GA in
 * 2024-10-21; older versions answer 400 "Unrecognized request argument"). Without it a stream's
 * usage is estimated instead of asked for.
 */
export function takesStreamOptions(dep: Deployment): boolean {
  if (isV1(dep)) return true;
  const date = /^(\d{4}-\d{2}-\d{2})/.exec(dep.apiVersion ?? DEFAULT_API_VERSION)?.[1];
  return !date || date >= "2024-09-01";
}

/** A deployment's credentials problem, found when the config loads. */
export function credentialsProblem(dep: Deployment): string | undefined {
  const token = adToken(dep);
  if (token?.startsWith("oidc/")) {
    return `Azure deployment '${dep.id}' of model '${dep.modelName}': azure_ad_token 'oidc/...' (LiteLLM's OIDC exchange) is not supported; give the Entra ID access token itself, or api_key.`;
  }
  if (token || dep.apiKey) return undefined;
  return `Azure deployment '${dep.id}' of model '${dep.modelName}' has no credentials: set api_key (os.environ/AZURE_API_KEY) or azure_ad_token.`;
}
