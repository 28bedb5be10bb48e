import type { SinkName } from "../../config/callbacks";
import type { SpendEvent } from "../../spend/event";
import type { Bindings } from "./http";

interface SinkContext {
  env: Bindings;
  /** litellm_settings.s3_callback_params.s3_path. */
  s3Path: string;
}

/** One export destination: delivers a batch or throws (SinkError says whether a retry can help). */
export interface Sink {
  name: SinkName;
  deliver(events: SpendEvent[], ctx: SinkContext): Promise<void>;
}
