/** Cohere's v2 chat and embed wire shapes (https://docs.cohere.com/reference/chat, /reference/embed), as far as the gateway reads them. */

export type Json = Record<string, unknown>;

export interface CohereToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string | null };
}

/** An item of `message.content` in an answer: text, or a reasoning model's thinking. */
interface CohereContentItem {
  type?: string;
  text?: string;
  thinking?: string;
}

export interface CohereUsageWire {
  billed_units?: { input_tokens?: number; output_tokens?: number };
  tokens?: { input_tokens?: number; output_tokens?: number };
  cached_tokens?: number;
}

/** A non-streamed v2 chat answer. */
export interface CohereChatResponse {
  id?: string;
  finish_reason?: string;
  message?: {
    role?: string;
    content?: CohereContentItem[];
    tool_plan?: string;
    tool_calls?: CohereToolCall[];
    citations?: unknown[];
  };
  usage?: CohereUsageWire;
}

/** One v2 stream event (the SSE `data:`; its `type` repeats the `event:` name). */
export interface CohereStreamEvent {
  type?: string;
  id?: string;
  index?: number;
  delta?: {
    message?: {
      content?: CohereContentItem;
      tool_plan?: string;
      tool_calls?: CohereToolCall;
    };
    finish_reason?: string;
    usage?: CohereUsageWire;
    error?: string;
  };
}

/** A v2 embed answer with `embedding_types: ["float"]`. */
export interface CohereEmbedResponse {
  embeddings?: { float?: number[][] };
  meta?: { billed_units?: { input_tokens?: number } };
}
