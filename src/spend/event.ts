/** One call's spend record: what the queue carries and the consumer writes to spend_logs. */
export interface SpendEvent {
  request_id: string;
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
}

/** A queue message: the events of one flush of an isolate's buffer. */
export interface SpendMessage {
  events: SpendEvent[];
}
