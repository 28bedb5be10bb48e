import type { ChatAdapter, ProviderEntry } from "../types";
import { cohereEmbeddings } from "./embeddings";
import { cohereError } from "./errors";
import { cohereBase, cohereHeaders } from "./http";
import { cohereBody, UNSUPPORTED } from "./request";
import { cohereResponse } from "./response";
import { cohereStream } from "./stream";

/**
 * Cohere's v2 API: POST {api_base}/v2/chat with a Bearer key (request.ts, messages.ts), its answer
 * and stream events (response.ts, stream.ts), errors (errors.ts), and POST /v2/embed (embeddings.ts).
 */
export const cohereChat: ChatAdapter = {
  request: (req, dep, ctx) => new Request(`${cohereBase(dep)}/v2/chat`, { method: "POST", headers: cohereHeaders(dep), body: JSON.stringify(cohereBody(req, dep, ctx)) }),
  response: cohereResponse,
  stream: cohereStream,
  error: cohereError,
  writesParts: true,
};

export { cohereEmbeddings } from "./embeddings";
import { cohereRerank } from "./rerank";

export const cohereProvider: ProviderEntry = { chat: cohereChat, embeddings: cohereEmbeddings, rerank: cohereRerank, unsupportedParams: UNSUPPORTED, requiresApiKey: true, priceProvider: "cohere" };
