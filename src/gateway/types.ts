import type { Deployment } from "../config/deployment";
import type { ResolvedConfig } from "../config/resolve";
import type { Env } from "../env";
import type { Principal } from "../http/auth";
import type { AdapterContext, ProviderEntry, TranslatedResponse, Usage } from "../providers/types";
import type { CallHooks } from "../hooks/types";
import type { StreamSpend } from "./stream-spend";

export type { CallHooks, CallInfo } from "../hooks/types";

/** The fields of a model request that the gateway itself reads (every surface maps onto these). */
export interface CallRequest {
  model: string;
  user?: string;
  metadata?: Record<string, unknown> | null;
  drop_params?: boolean;
}

/** For budget reservations: the prompt's size estimate and the most the completion may be. */
interface Estimate {
  promptTokens: number;
  maxCompletionTokens?: number;
  /** Completions the call asks for (`n`): each may be as long as the limit. */
  choices?: number;
}

/** Everything one call needs from around it: an HTTP request gives it (httpCallContext), a batch line builds its own. */
export interface CallContext {
  env: Env;
  config: ResolvedConfig;
  principal: Principal;
  requestId: string;
  /** Keeps the isolate alive for off-path work (settles, spend events). */
  waitUntil(p: Promise<unknown>): void;
  /** Aborts when the client goes away: no more retries or fallbacks, and the upstream fetch is cancelled. */
  signal?: AbortSignal;
  /** The client's request headers (native pass-through reads its anthropic-version / -beta). */
  clientHeaders: Headers;
  hooks?: CallHooks;
  /** A line of a gateway-run batch: its spend row carries the batch's id and the line's custom_id. */
  batch?: { batchId: string; customId: string };
}

/** One attempt on one deployment. */
export interface Attempt {
  dep: Deployment;
  provider: ProviderEntry;
  ctx: AdapterContext;
  timeoutMs: number | undefined;
  signal?: AbortSignal;
  clientHeaders: Headers;
  /** W3C trace context for the upstream request (when traces are exported or the caller sent one). */
  traceparent?: string;
  /** The upstream's headers once it answered (its rate-limit headers are passed on). */
  upstreamHeaders?: Headers;
}

/** What an attempt produced. */
export type Outcome =
  /** A complete answer, translated to the client's format. */
  | { kind: "answer"; answer: TranslatedResponse }
  /** A stream: `render` turns the upstream body into the client's format, reporting to `spend`. */
  | { kind: "stream"; upstream: Response; render(body: ReadableStream<Uint8Array>, spend: StreamSpend): ReadableStream<Uint8Array> }
  /** Bytes passed back as they come (audio), priced up front. */
  | { kind: "bytes"; upstream: Response; usage: Usage | null; cost: number | null };

/** One model call as a surface describes it: its request, and how one attempt runs. */
export interface ModelCall {
  /** `chat`, `messages`, `responses`, `completions`, `embeddings`, `images/generations`, `audio/...`. */
  route: string;
  request: CallRequest;
  /** The client's parsed request, for hooks. */
  body: unknown;
  stream: boolean;
  /** The client asked for usage on its stream. */
  includeUsage: boolean;
  estimate(): Estimate;
  /**
   * The most one attempt can cost on a deployment, when the call is not priced by tokens alone
   * (per image, per character, per second); null falls back to the token estimate.
   */
  mostCost?(dep: Deployment): number | null;
  /** Makes one attempt on one deployment; throws GatewayError when it fails (the router retries). */
  attempt(a: Attempt): Promise<Outcome>;
  /** LiteLLM's mock_response: the answer `text` in this surface's shape, without an upstream (surfaces without it refuse the hook). */
  mock?(a: Attempt, text: string): Outcome;
}
