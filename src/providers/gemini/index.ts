import type { Deployment } from "../../config/deployment";
import { translateStream } from "../../http/sse";
import { modelSegment } from "../shared/url";
import type { ChatAdapter, EmbeddingsAdapter, ProviderEntry } from "../types";
import { batchEmbedBody, batchEmbedResponse } from "./embeddings";
import { geminiError } from "./errors";
import { geminiBody, UNSUPPORTED } from "./request";
import { geminiResponse } from "./response";
import { geminiStreamTranslator } from "./stream";

const GEMINI_BASE = "https://generativelanguage.googleapis.com";

/** Where a Gemini-format call goes: its URL and auth headers, per method (`generateContent`, ...). */
export type GeminiTarget = (dep: Deployment, method: string) => Promise<{ url: string; headers: Headers }> | { url: string; headers: Headers };

/** litellm_params.allowed_gcs_buckets: the buckets a request's gs:// URIs may name (see checkGcsBuckets). */
export function gcsBuckets(dep: Deployment): ReadonlySet<string> {
  const v = dep.params.allowed_gcs_buckets;
  return new Set(Array.isArray(v) ? v.filter((b): b is string => typeof b === "string") : []);
}

/** A deployment's allowed_gcs_buckets must be a list of bucket names (not gs:// URIs). */
export function checkGcsBuckets(dep: Deployment): string | undefined {
  const v = dep.params.allowed_gcs_buckets;
  if (v === undefined || (Array.isArray(v) && v.every((b) => typeof b === "string" && /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(b)))) return undefined;
  return `Deployment '${dep.id}' of '${dep.modelName}': litellm_params.allowed_gcs_buckets must be a list of bucket names, e.g. [my-media-bucket].`;
}

/** The model's path segment (`models/` is the API's own prefix; a config may carry it). */
export const modelPath = (dep: Deployment): string => dep.model.replace(/^models\//, "");

/**
 * The chat adapter of the Gemini format for a target: AI Studio and Vertex AI take the same
 * generateContent body and answer alike; only the URL and the auth differ. The body is built
 * (and refused) before the target is asked, so a bad request never costs a token exchange.
 */
export function geminiChatAdapter(target: GeminiTarget): ChatAdapter {
  return {
    async request(req, dep, ctx) {
      const body = await geminiBody(req, modelPath(dep), ctx, { gcsBuckets: gcsBuckets(dep) });
      const { url, headers } = await target(dep, req.stream ? "streamGenerateContent" : "generateContent");
      headers.set("content-type", "application/json");
      return new Request(req.stream ? `${url}?alt=sse` : url, { method: "POST", headers, body: JSON.stringify(body) });
    },
    response: geminiResponse,
    stream(body, dep, ctx, sink) {
      return translateStream(body, geminiStreamTranslator(dep, ctx, sink), (outcome) => sink.end(outcome), ctx.format?.error);
    },
    error: geminiError,
    writesParts: true,
  };
}

/** `{api_base}/v1beta` (LiteLLM's meaning: the host root; a base that already names an API version is used as it is). */
function geminiApiRoot(dep: Deployment): string {
  const base = (dep.apiBase ?? GEMINI_BASE).replace(/\/+$/, "");
  return /\/v1(?:beta|alpha)?$/.test(base) ? base : `${base}/v1beta`;
}

/** Google AI Studio: the key goes in `x-goog-api-key`, never in the URL (where logs would keep it). */
const studioTarget: GeminiTarget = (dep, method) => {
  const headers = new Headers();
  if (dep.apiKey) headers.set("x-goog-api-key", dep.apiKey);
  return { url: `${geminiApiRoot(dep)}/models/${modelSegment(modelPath(dep))}:${method}`, headers };
};

export const geminiChat = geminiChatAdapter(studioTarget);

/** Embeddings through batchEmbedContents (one request per input). */
export const geminiEmbeddings: EmbeddingsAdapter = {
  async request(req, dep) {
    const body = batchEmbedBody(req, dep);
    const { url, headers } = await studioTarget(dep, "batchEmbedContents");
    headers.set("content-type", "application/json");
    return new Request(url, { method: "POST", headers, body: JSON.stringify(body) });
  },
  response: batchEmbedResponse,
  error: geminiError,
};

/** Google AI Studio's Gemini API (`gemini/<model>`): an API key; allowed_gcs_buckets as Vertex. */
export const geminiProvider: ProviderEntry = {
  chat: geminiChat,
  native: { google: studioTarget },
  unsupportedParams: UNSUPPORTED,
  params: ["allowed_gcs_buckets"],
  check: checkGcsBuckets,
  embeddings: geminiEmbeddings,
  requiresApiKey: true,
  priceProvider: "google",
};
