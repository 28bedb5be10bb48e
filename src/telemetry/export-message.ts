import type { SpendEvent } from "../spend/event";

/** The export queue's name (wrangler.toml), which the Worker's queue handler dispatches on. */
export const EXPORT_QUEUE_NAME = "switchyard-export";

/** One export queue message: a batch of calls for one sink. */
export interface ExportMessage {
  sink: string;
  events: SpendEvent[];
}
