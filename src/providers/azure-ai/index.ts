import type { Deployment } from "../../config/deployment";
import { invalidRequest } from "../../http/errors";
import { compatError } from "../openai-compat/adapter";
import { cohereRerankAnswer, cohereRerankBody } from "../cohere/rerank";
import type { ChatAdapter, ProviderEntry, RerankAdapter } from "../types";

/**
 * Azure AI Foundry (`azure_ai/`), rerank only on this gateway: Cohere's rerank as Azure serves it,
 * in Cohere's shape with `Authorization: Bearer {api_key}`. The URL follows LiteLLM: an api_base
 * that already ends in `/v1/rerank` or `/v2/rerank` is used as it is; one ending in `/v1`, `/v2`
 * (e.g. `.../providers/cohere/v2`) gets `/rerank`; any other gets `/v1/rerank`.
 */
export function azureAiRerankUrl(dep: Deployment): string {
  const url = new URL(dep.apiBase ?? "");
  const path = url.pathname.replace(/\/+$/, "");
  if (/\/v[12]\/rerank$/.test(path)) url.pathname = path;
  else if (/\/v[12]$/.test(path)) url.pathname = `${path}/rerank`;
  else url.pathname = `${path}/v1/rerank`;
  return url.toString();
}

export const azureAiRerank: RerankAdapter = {
  request(req, dep) {
    const headers = new Headers({ "content-type": "application/json", accept: "application/json", authorization: `Bearer ${dep.apiKey ?? ""}` });
    return new Request(azureAiRerankUrl(dep), { method: "POST", headers, body: cohereRerankBody(req, dep) });
  },
  response: (text, req, _dep, ctx) => cohereRerankAnswer(text, req, ctx.requestId, "Azure AI"),
  error: compatError,
};

/** Chat, embeddings and the rest are not served for azure_ai/ deployments: a clear 400 before anything is sent. */
const noChat: ChatAdapter = {
  request(req) {
    throw invalidRequest(`The model '${req.model}' is served by azure_ai, which serves rerank only on this gateway (use azure/ for Azure OpenAI chat).`, "model");
  },
  response() {
    throw invalidRequest("azure_ai serves rerank only on this gateway.");
  },
  stream() {
    throw invalidRequest("azure_ai serves rerank only on this gateway.");
  },
  error: compatError,
};

function checkBase(dep: Deployment): string | undefined {
  try {
    const u = new URL(dep.apiBase ?? "");
    return u.protocol === "https:" || u.protocol === "http:" ? undefined : `Deployment '${dep.id}': api_base must be an http(s) URL.`;
  } catch {
    return `Deployment '${dep.id}': api_base must be an absolute URL (e.g. https://<resource>.services.ai.azure.com).`;
  }
}

export const azureAiProvider: ProviderEntry = {
  chat: noChat,
  rerank: azureAiRerank,
  requiresApiBase: true,
  requiresApiKey: true,
  priceProvider: "azure",
  check: checkBase,
};
