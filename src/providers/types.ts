import type { Deployment } from "../config/deployment";
import type { GatewayError } from "../http/errors";
import type { StreamOutcome } from "../http/sse";
import type { ChatRequest } from "../api/chat";
import type { EmbeddingsRequest } from "../api/embeddings";
import type { ModerationsRequest } from "../api/moderations";
import type { RerankRequest } from "../api/rerank";
import type { PartWriter } from "./shared/chunks";
import type { ImageLimits } from "./shared/images";

/** Token usage in OpenAI's terms, as the gateway prices it. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Prompt tokens read from the provider's cache (part of prompt_tokens). */
  cached_tokens?: number;
  /** Prompt tokens written to the provider's cache (part of prompt_tokens). */
  cache_creation_tokens?: number;
  /** Completion tokens spent on reasoning (part of completion_tokens). */
  reasoning_tokens?: number;
}

/** What an adapter needs to know about the call beyond the request and the deployment. */
export interface AdapterContext {
  requestId: string;
  /** Unix seconds, for `created`. */
  created: number;
  /** The client asked for `stream_options.include_usage`. */
  includeUsage: boolean;
  /** Unsupported OpenAI params are dropped instead of refused. */
  dropParams: boolean;
  /** How many images, and how many bytes of them, one request may make the gateway fetch (default DEFAULT_IMAGE_LIMITS). */
  imageLimits?: ImageLimits;
  /**
   * The client's stream format when it is not OpenAI chat (Anthropic Messages, Responses): an
   * adapter whose chat adapter `writesParts` writes its stream straight in it; absent: OpenAI chunks.
   */
  format?: StreamFormat;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

/** A client format for translated streams: the writer of its events and its closing error event. */
export interface StreamFormat {
  writer(sink: StreamSink): PartWriter;
  error(err: GatewayError): string;
}

/** A translated non-streamed answer: the OpenAI JSON text to send, and its usage. */
export interface TranslatedResponse {
  json: string;
  usage: Usage | null;
  /** The answer's content type when it is not JSON (e.g. a transcription as text or srt). */
  contentType?: string;
  /** The call's cost when it is not priced from token usage (audio by the second); null: unknown. */
  cost?: number | null;
}

/** OpenAI endpoints whose bodies pass through as they are (audio, image generation). */
type PassthroughPath = "audio/transcriptions" | "audio/translations" | "audio/speech" | "images/generations";

/** Where a provider serves OpenAI's pass-through endpoints, and with which headers. */
export interface PassthroughAdapter {
  url(dep: Deployment, path: PassthroughPath): string;
  headers(dep: Deployment): Headers;
  error(status: number, text: string, headers: Headers, dep: Deployment): GatewayError;
}

/** Callbacks a stream translation reports to. */
export interface StreamSink {
  /** Called with the upstream's own usage when it arrives. */
  usage(usage: Usage): void;
  /** Characters of content, reasoning and tool arguments sent so far (to estimate an abandoned stream's cost). */
  produced?(chars: number): void;
  /** Called once when the stream is over: complete, failed, or abandoned by the client. */
  end(outcome: StreamOutcome): void;
  /** The answer's own id as the client sees it (`chatcmpl-...`), when the stream tells it. */
  responseId?(id: string): void;
  /** The answer's text as it streams; present only when the call's content is exported (message logging on). */
  text?(fragment: string): void;
}

export interface ChatAdapter {
  /** Builds the upstream request from the OpenAI-shaped request. Throws GatewayError for what it cannot honour. */
  request(req: ChatRequest, dep: Deployment, ctx: AdapterContext): Request | Promise<Request>;
  /** Reads a full upstream answer (its body text). Throws GatewayError (502) when unreadable. */
  response(text: string, dep: Deployment, ctx: AdapterContext): TranslatedResponse;
  /** Turns the upstream stream into OpenAI SSE bytes (`data: {chunk}\n\n` ... `data: [DONE]\n\n`), or into ctx.format's events when `writesParts`. */
  stream(body: ReadableStream<Uint8Array>, dep: Deployment, ctx: AdapterContext, sink: StreamSink): ReadableStream<Uint8Array>;
  /** The stream is translated part by part (a PartWriter) and honours ctx.format: no client format re-parses OpenAI chunks of it. */
  writesParts?: boolean;
  /** Maps an upstream error answer to the gateway's error. */
  error(status: number, text: string, headers: Headers, dep: Deployment): GatewayError;
}

export interface EmbeddingsAdapter {
  /**
   * Optional, for an upstream that embeds a limited number of inputs per call (Bedrock Titan: one):
   * the request as the requests to send, in order. The route sends them in parallel through
   * `request`/`response` and joins their lists (joinEmbeddingLists). Absent: one call.
   */
  split?(req: EmbeddingsRequest, dep: Deployment, ctx: AdapterContext): EmbeddingsRequest[];
  /** Builds the upstream request (the adapter honours `encoding_format` in `response`, converting when needed). */
  request(req: EmbeddingsRequest, dep: Deployment, ctx: AdapterContext): Request | Promise<Request>;
  /** Reads the upstream answer into OpenAI's embeddings list JSON. Throws GatewayError (502) when unreadable. */
  response(text: string, req: EmbeddingsRequest, dep: Deployment, ctx: AdapterContext): TranslatedResponse;
  error(status: number, text: string, headers: Headers, dep: Deployment): GatewayError;
}

/** A rerank API (Cohere's /v2/rerank, or the Jina/Voyage/vLLM family): answers in LiteLLM's rerank shape. */
export interface RerankAdapter {
  request(req: RerankRequest, dep: Deployment, ctx: AdapterContext): Request | Promise<Request>;
  /** LiteLLM's `{id, results: [{index, relevance_score, document?}], meta}`; `searchUnits` as billed (1 when the provider reports none). */
  response(text: string, req: RerankRequest, dep: Deployment, ctx: AdapterContext): TranslatedResponse & { searchUnits: number };
  error(status: number, text: string, headers: Headers, dep: Deployment): GatewayError;
  /** Request fields this provider's rerank API refuses (dropped with drop_params); /model_group/info lists the rest. */
  unsupported?: readonly string[];
}

/** OpenAI's moderations API: the request and answer pass through. */
export interface ModerationsAdapter {
  request(req: ModerationsRequest, dep: Deployment, ctx: AdapterContext): Request | Promise<Request>;
  response(text: string, req: ModerationsRequest, dep: Deployment, ctx: AdapterContext): TranslatedResponse;
  error(status: number, text: string, headers: Headers, dep: Deployment): GatewayError;
}

/** Client surfaces a provider's own API speaks, so the gateway passes such requests through as they came. */
interface NativeSurfaces {
  /** Anthropic's Messages API (`/v1/messages`). */
  messages?: boolean;
  /** Anthropic's token counting (`/v1/messages/count_tokens`). */
  countTokens?: boolean;
  /** OpenAI's Responses API (`/v1/responses`). */
  responses?: boolean;
  /** Google's Gemini API methods (`generateContent`, ...): where a deployment's native call goes, with its auth (the /gemini and /vertex_ai pass-through). */
  google?: (dep: Deployment, method: string) => Promise<{ url: string; headers: Headers }> | { url: string; headers: Headers };
}

export interface ProviderEntry {
  chat: ChatAdapter;
  /** Surfaces served natively (no translation); absent: every surface is bridged through chat. */
  native?: NativeSurfaces;
  /** Absent when the provider has no embeddings API: the route answers 400 for such a model. */
  embeddings?: EmbeddingsAdapter;
  /** Absent when the provider has no rerank API on this gateway. */
  rerank?: RerankAdapter;
  /** Absent when the provider has no moderations API on this gateway. */
  moderations?: ModerationsAdapter;
  /** Absent when the provider has no OpenAI-style audio or image-generation API. */
  passthrough?: PassthroughAdapter;
  /** litellm_params this provider reads beyond the common ones (e.g. aws_region_name). */
  params?: readonly string[];
  /** Needs `api_base` in the config (no default host). */
  requiresApiBase?: boolean;
  /** Needs `api_key` (or its equivalent) in the config. */
  requiresApiKey?: boolean;
  /** OpenAI chat parameters the chat adapter refuses (dropped with drop_params); /model_group/info lists the rest. */
  unsupportedParams?: readonly string[];
  /** Name used by the price table for this provider, when it differs. */
  priceProvider?: string;
  /** Checks a deployment's settings when the config loads: a problem makes it unusable (503, listed at readiness). */
  check?(dep: Deployment): string | undefined;
}
