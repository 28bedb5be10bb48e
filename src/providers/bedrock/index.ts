import { translateStream } from "../../http/sse";
import type { ChatAdapter, ProviderEntry } from "../types";
import { bedrockEmbeddings } from "./embeddings";
import { bedrockError } from "./errors";
import { bedrockRerank } from "./rerank";
import { converseRequest, UNSUPPORTED } from "./request";
import { converseResponse } from "./response";
import { credentialsOf } from "./sign";
import { bedrockStreamTranslator } from "./stream";

/**
 * Amazon Bedrock's Converse API (`POST {base}/model/{modelId}/converse`, and `/converse-stream`
 * answering in the binary eventstream framing), SigV4-signed or with a Bedrock API key.
 */
export const bedrockChat: ChatAdapter = {
  request: converseRequest,
  response: converseResponse,
  stream(body, dep, ctx, sink) {
    return translateStream(body, bedrockStreamTranslator(dep, ctx, sink), (outcome) => sink.end(outcome), ctx.format?.error);
  },
  error: bedrockError,
  writesParts: true,
};

/**
 * Credentials are checked by the adapter (SigV4 keys or an API key; either will do), so
 * `requiresApiKey` stays off: a deployment with neither answers 503 config_error naming what to set.
 */
export const bedrockProvider: ProviderEntry = {
  chat: bedrockChat,
  unsupportedParams: UNSUPPORTED,
  embeddings: bedrockEmbeddings,
  rerank: bedrockRerank,
  params: ["aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_region_name", "aws_bedrock_runtime_endpoint", "aws_bedrock_agent_runtime_endpoint", "model_id"],
  requiresApiKey: false,
  priceProvider: "aws",
  check(dep) {
    try {
      credentialsOf(dep);
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  },
};
