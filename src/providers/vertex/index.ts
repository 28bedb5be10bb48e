import type { Deployment } from "../../config/deployment";
import { configError } from "../../http/errors";
import { geminiError } from "../gemini/errors";
import { UNSUPPORTED } from "../gemini/request";
import { checkGcsBuckets, geminiChatAdapter, modelPath, type GeminiTarget } from "../gemini/index";
import { modelSegment } from "../shared/url";
import type { EmbeddingsAdapter, ProviderEntry } from "../types";
import { serviceAccount } from "./credentials";
import { predictBody, predictResponse } from "./embeddings";
import { vertexRerank } from "./rerank";
import { accessToken } from "./token";

const DEFAULT_LOCATION = "us-central1";
const GLOBAL_HOST = "https://aiplatform.googleapis.com";
const NAME = /^[a-z0-9][a-z0-9-]*$/i;

const param = (dep: Deployment, name: string): string | undefined => {
  const v = dep.params[name];
  return typeof v === "string" && v ? v : undefined;
};

/** The API root: `api_base` (the host root, as LiteLLM means it) or the location's host; `global` has no region prefix. */
function apiRoot(dep: Deployment, location: string): string {
  if (dep.apiBase) {
    const base = dep.apiBase.replace(/\/+$/, "");
    return /\/v1(?:beta1)?$/.test(base) ? base : `${base}/v1`;
  }
  return `${location === "global" ? GLOBAL_HOST : `https://${location}-aiplatform.googleapis.com`}/v1`;
}

/**
 * Vertex AI: `{root}/projects/{project}/locations/{location}/publishers/google/models/{model}:{method}`
 * with a service account's access token (vertex_credentials; vertex_project defaults to the
 * key file's project_id, vertex_location to us-central1). With no credentials but an api_key,
 * Vertex AI's express mode: `{root}/publishers/google/models/{model}:{method}` and `x-goog-api-key`.
 */
const vertexTarget: GeminiTarget = async (dep, method) => {
  const sa = serviceAccount(dep);
  const location = param(dep, "vertex_location") ?? DEFAULT_LOCATION;
  if (!NAME.test(location)) throw configError(`The vertex_location of deployment '${dep.id}' is not a location name.`);
  if (!sa) {
    if (!dep.apiKey)
      throw configError(`Deployment '${dep.id}' of '${dep.modelName}' needs vertex_credentials (a service-account key's JSON, e.g. os.environ/VERTEX_CREDENTIALS) or an api_key (express mode).`);
    const headers = new Headers({ "x-goog-api-key": dep.apiKey });
    return { url: `${apiRoot(dep, "global")}/publishers/google/models/${modelSegment(modelPath(dep))}:${method}`, headers };
  }
  const project = param(dep, "vertex_project") ?? sa.project_id;
  if (!project) throw configError(`Deployment '${dep.id}' of '${dep.modelName}' needs vertex_project (its credentials name no project_id).`);
  if (!NAME.test(project)) throw configError(`The vertex_project of deployment '${dep.id}' is not a project id.`);
  const token = await accessToken(sa);
  const headers = new Headers({ authorization: `Bearer ${token}` });
  return { url: `${apiRoot(dep, location)}/projects/${project}/locations/${location}/publishers/google/models/${modelSegment(modelPath(dep))}:${method}`, headers };
};

export const vertexChat = geminiChatAdapter(vertexTarget);

/** Text embedding models through `:predict` (instances[].content; token counts come back in the statistics). */
export const vertexEmbeddings: EmbeddingsAdapter = {
  async request(req, dep) {
    const body = predictBody(req);
    const { url, headers } = await vertexTarget(dep, "predict");
    headers.set("content-type", "application/json");
    return new Request(url, { method: "POST", headers, body: JSON.stringify(body) });
  },
  response: predictResponse,
  error: geminiError,
};

/** Vertex AI's Gemini models (`vertex_ai/<model>`), priced as Google's. */
export const vertexProvider: ProviderEntry = {
  chat: vertexChat,
  native: { google: vertexTarget },
  unsupportedParams: UNSUPPORTED,
  embeddings: vertexEmbeddings,
  rerank: vertexRerank,
  params: ["vertex_project", "vertex_location", "vertex_credentials", "allowed_gcs_buckets"],
  check: checkGcsBuckets,
  priceProvider: "google",
};
