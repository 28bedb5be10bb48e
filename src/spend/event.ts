/** One call's spend record: what the queue carries and the consumer writes to spend_logs. */
export interface SpendEvent {
  request_id: string;
  /** The answer's own id (`chatcmpl-...`), as the client got it; absent when none came. */
  response_id?: string | null;
  /** The key's token, or `master`. */
  api_key: string;
  /** The key's team, when it has one. */
  team_id?: string | null;
  /** Upstream model name. */
  model: string;
  /** The model_name the client asked for. */
  model_group: string;
  provider: string;
  deployment: string;
  prompt_tokens: number;
  completion_tokens: number;
  /** USD; null when the price is unknown. */
  spend: number | null;
  /** `success`, `failure`, or `cancelled` (a stream the client abandoned). */
  status: string;
  /** Unix ms. */
  start_time: number;
  end_time: number;
  metadata: Record<string, unknown>;
  /** A gateway-run batch's line: the batch id and the line's custom_id. */
  batch_id?: string;
  custom_id?: string;
  /** What the callbacks (sinks, metrics, alerts) need beyond the spend row; never written to spend_logs. */
  trace?: CallTrace;
}

/** One upstream attempt of a call. */
export interface AttemptTrace {
  deployment: string;
  /** The upstream model name. */
  model: string;
  model_group: string;
  provider: string;
  /** The host of the deployment's api_base (never its path or credentials); empty for the provider's default. */
  api_base: string;
  /** The upstream's HTTP status (200 for an answer; 0 when none came, e.g. a timeout). */
  status: number;
  /** The gateway's error code for a failed attempt. */
  error?: string;
  /** Unix ms. */
  start: number;
  end: number;
  /** This failure rested the deployment until then (unix ms): the cooldown alert and metric read it. */
  cooldown_until?: number;
}

/** A bounded view of the call for the export sinks; built in the gateway, shipped with the spend event. */
export interface CallTrace {
  /** Callbacks to run for this event, resolved by the call's outcome when it ended. */
  callbacks: string[];
  /** OpenTelemetry GenAI operation name: chat, text_completion, embeddings, ... */
  operation: string;
  /** The caller's W3C traceparent, when it sent a valid one. */
  traceparent?: string;
  attempts: AttemptTrace[];
  params?: { max_tokens?: number; temperature?: number; top_p?: number };
  response?: { id?: string; model?: string; finish_reasons?: string[] };
  cache_read_tokens?: number;
  cache_creation_tokens?: number;
  /** Streams: ms from the call's start to its first output. */
  ttft_ms?: number;
  key_alias?: string;
  /** The request's `user`, for the end_user metrics label (only with enable_end_user_cost_tracking_prometheus_only). */
  end_user?: string;
  /** Filled in by the spend consumer from D1 (the hot path does not know it). */
  team_alias?: string;
  /** Langfuse metadata the client sent (metadata.trace_id, generation_name, session_id, trace_user_id, ...). */
  client?: Record<string, string>;
  /** Calls this event stands for in the request counters (refusals past the anonymous row limit fold into the next row); 1 when absent. */
  count?: number;
  /** The final error of a failed call. */
  error?: { type: string; status: number; message?: string };
  /** Message content withheld: logging off, the redaction header, or the key's no-log. */
  redacted: boolean;
  /** Only when message logging is on: the request's messages (or prompt / input) and the answer, each message clipped. */
  messages?: unknown;
  answer?: unknown;
}

/** A queue message: the events of one flush of an isolate's buffer. */
export interface SpendMessage {
  events: SpendEvent[];
}
