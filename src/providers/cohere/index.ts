import type { Deployment } from "../../config/deployment";
import type { GatewayError } from "../../http/errors";
import { inputTexts } from "../../routes/embeddings-schema";
import { embeddingsList } from "../shared/embeddings";
import type { ChatAdapter, EmbeddingsAdapter, ProviderEntry } from "../types";
import { upstreamError } from "../upstream-error";
import { upstreamUnreadable } from "../../http/errors";
import { cohereStream } from "./stream";
import { cohereBody, cohereResponse } from "./translate";

const base = (dep: Deployment) => (dep.apiBase ?? "https://api.cohere.com").replace(/\/+$/, "").replace(/\/v[12]$/, "");
const headers = (dep: Deployment) => new Headers({ "content-type": "application/json", authorization: `Bearer ${dep.apiKey ?? ""}`, accept: "application/json" });

/** Cohere errors are `{message}`; 498 (invalid token) is an auth failure. */
export function cohereError(status: number, text: string, h: Headers, dep: Deployment): GatewayError {
  let message = text;
  try {
    const o = JSON.parse(text) as { message?: string };
    if (typeof o.message === "string") message = o.message;
  } catch {
    /* text as it is */
  }
  const mapped = status === 498 ? 401 : status === 499 ? 408 : status;
  const code = /too many tokens|too long|context/i.test(message) && mapped === 400 ? "context_length_exceeded" : undefined;
  return upstreamError(mapped, message, dep, h, { code });
}

export const cohereChat: ChatAdapter = {
  request: (req, dep, ctx) => new Request(`${base(dep)}/v2/chat`, { method: "POST", headers: headers(dep), body: JSON.stringify(cohereBody(req, dep, ctx)) }),
  response: cohereResponse,
  stream: cohereStream,
  error: cohereError,
};

/** v2 embed: texts with an input_type (the request's, else search_document), float vectors. */
export const cohereEmbeddings: EmbeddingsAdapter = {
  request(req, dep) {
    const body = { model: dep.model, texts: inputTexts(req, "Cohere"), input_type: req.input_type ?? "search_document", embedding_types: ["float"] };
    return new Request(`${base(dep)}/v2/embed`, { method: "POST", headers: headers(dep), body: JSON.stringify(body) });
  },
  response(text, req, dep) {
    let r: { embeddings?: { float?: number[][] }; meta?: { billed_units?: { input_tokens?: number } } };
    try {
      r = JSON.parse(text);
    } catch {
      throw upstreamUnreadable("Cohere answered with a body that is not JSON.");
    }
    const vectors = r.embeddings?.float;
    if (!Array.isArray(vectors)) throw upstreamUnreadable("Cohere's embed answer has no embeddings.float.");
    const tokens = r.meta?.billed_units?.input_tokens ?? 0;
    const usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
    return { json: embeddingsList(vectors, dep.model, usage, req.encoding_format), usage };
  },
  error: cohereError,
};

export const cohereProvider: ProviderEntry = { chat: cohereChat, embeddings: cohereEmbeddings, requiresApiKey: true, priceProvider: "cohere" };
