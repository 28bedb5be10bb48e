import { batchId } from "../ids";
import { standardPayload } from "../standard-payload";
import { SinkError } from "./http";
import type { Sink } from "./types";

/**
 * LiteLLM's `s3` callback on an R2 bucket (binding LOG_BUCKET): one newline-delimited JSON object
 * per batch at `{s3_path}/{YYYY-MM-DD}/{batch id}.ndjson`. The key derives from the batch's request
 * ids, so a redelivered batch overwrites its own object instead of adding another.
 */
export const s3: Sink = {
  name: "s3",
  async deliver(events, { env, s3Path }) {
    const bucket = env.LOG_BUCKET as R2Bucket | undefined;
    if (!bucket || typeof bucket.put !== "function") throw new SinkError("s3: bind an R2 bucket as LOG_BUCKET", false);
    const day = new Date(events[0]?.start_time ?? Date.now()).toISOString().slice(0, 10);
    const key = `${s3Path ? `${s3Path}/` : ""}${day}/${batchId(events)}.ndjson`;
    const body = events.map((e) => JSON.stringify(standardPayload(e))).join("\n") + "\n";
    try {
      await bucket.put(key, body, { httpMetadata: { contentType: "application/x-ndjson" } });
    } catch (e) {
      throw new SinkError(`s3: ${e instanceof Error ? e.message : String(e)}`, true);
    }
  },
};
