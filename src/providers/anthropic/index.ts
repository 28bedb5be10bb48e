import { translateStream } from "../../http/sse";
import type { ChatAdapter, ProviderEntry } from "../types";
import { anthropicError } from "./errors";
import { anthropicRequest, UNSUPPORTED } from "./request";
import { anthropicResponse } from "./response";
import { anthropicStreamTranslator } from "./stream";

/** Anthropic's Messages API (`POST {api_base}/v1/messages`, `x-api-key`, `anthropic-version`). */
export const anthropicChat: ChatAdapter = {
  request: anthropicRequest,
  response: anthropicResponse,
  stream(body, dep, ctx, sink) {
    return translateStream(body, anthropicStreamTranslator(dep, ctx, sink), (outcome) => sink.end(outcome), ctx.format?.error);
  },
  error: anthropicError,
  writesParts: true,
};

/** No litellm_params beyond the common ones (api_key, api_base). No embeddings API. */
export const anthropicProvider: ProviderEntry = {
  chat: anthropicChat,
  native: { messages: true, countTokens: true },
  unsupportedParams: UNSUPPORTED,
  requiresApiKey: true,
  priceProvider: "anthropic",
};
