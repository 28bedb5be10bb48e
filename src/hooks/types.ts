import type { Principal } from "../http/auth";
import type { TranslatedResponse, Usage } from "../providers/types";
import type { AttemptRecord } from "../router/execute";
import type { SpendEvent } from "../spend/event";

// The plug-in points of the call path, below the gateway so that what plugs in (cache/,
// telemetry/) never imports gateway/: callModel calls them, httpCallContext picks them.

/** What the plug-ins of the call path see of a call. */
export interface CallInfo {
  route: string;
  model: string;
  stream: boolean;
  requestId: string;
  principal: Principal;
  /** The client's request as parsed by its surface. */
  body: unknown;
}

/** How a streamed call ended: success, its usage (null when only estimated) and cost. */
export interface StreamEnd {
  ok: boolean;
  usage: Usage | null;
  cost: number | null;
}

/** What a cache lookup found. */
interface CacheLookup {
  /** The complete answer (null: route the call). */
  answer: TranslatedResponse | null;
  /** For a call that asked for a stream: the answer replayed in the client's stream format. */
  stream?: ReadableStream<Uint8Array>;
  /** Response headers, set either way (e.g. `x-cache: MISS`). */
  headers?: Record<string, string>;
  /** Fields of the call's spend row (e.g. `saved_cost`, `cache_key`). */
  extra?: Record<string, unknown>;
}

/**
 * Named points where later features plug into every model call without reshaping it:
 * caching (`lookup` before routing, `store` after a complete answer) and telemetry (`attempt`
 * after each upstream try, `finish` with the call's final record).
 */
export interface CallHooks {
  /**
   * An answer to give instead of calling upstream (a cache hit); null, or a null answer, to route
   * the call. The headers are set on the response either way (e.g. `x-cache: MISS`).
   */
  lookup?(call: CallInfo): Promise<CacheLookup | null>;
  /** A complete non-streamed answer, after it was priced (`cost`: what it cost, null when unpriced). */
  store?(call: CallInfo, answer: TranslatedResponse, cost: number | null): void;
  /**
   * A streamed answer on its way to the client (in the client's format): the stream to send
   * instead (the same bytes; the hook may read a copy off the response path). `ended` resolves
   * when the call has finished.
   */
  storeStream?(call: CallInfo, body: ReadableStream<Uint8Array>, ended: Promise<StreamEnd>): ReadableStream<Uint8Array>;
  /** One upstream attempt has ended (success or failure). */
  attempt?(call: CallInfo, record: AttemptRecord): void;
  /** The call is over: its spend event (also sent when spend logs are off). */
  finish?(call: CallInfo, event: SpendEvent): void;
}
