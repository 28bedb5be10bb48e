import { parseChatRequest } from "../api/chat";
import { parseEmbeddingsRequest } from "../api/embeddings";
import type { ResolvedConfig } from "../config/resolve";
import { parseResponsesRequest } from "../formats/responses/schema";
import { chatCall } from "../gateway/calls/chat";
import { embeddingsCall } from "../gateway/calls/embeddings";
import { responsesCall } from "../gateway/calls/responses";
import type { ModelCall } from "../gateway/types";
import { invalidRequest } from "../http/errors";

/** The endpoints a batch may call (OpenAI's names). */
export const BATCH_ENDPOINTS = ["/v1/chat/completions", "/v1/embeddings", "/v1/responses"] as const;
export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

export const isBatchEndpoint = (url: unknown): url is BatchEndpoint => typeof url === "string" && (BATCH_ENDPOINTS as readonly string[]).includes(url);

/** Validates a line's body for its endpoint (the same schema as the live route); returns the model it names. Throws a 400. */
export function checkLineBody(endpoint: BatchEndpoint, body: Record<string, unknown>): string {
  if (body.stream === true) throw invalidRequest("A batch request cannot stream: remove 'stream'.", "stream");
  if (endpoint === "/v1/chat/completions") return parseChatRequest(body).model;
  if (endpoint === "/v1/embeddings") return parseEmbeddingsRequest(body).model;
  return parseResponsesRequest(body).model;
}

/** One line as a model call, built exactly as the live route builds it (never streamed). */
export function lineCall(endpoint: BatchEndpoint, body: Record<string, unknown>, requestId: string, config: ResolvedConfig): ModelCall {
  const plain = { ...body };
  delete plain.stream;
  delete plain.stream_options;
  if (endpoint === "/v1/chat/completions") return chatCall(parseChatRequest(plain));
  if (endpoint === "/v1/embeddings") return embeddingsCall(parseEmbeddingsRequest(plain));
  return responsesCall(plain, parseResponsesRequest(plain), requestId, config.settings.dropParams);
}
