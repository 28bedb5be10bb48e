import type { Embed } from "../cache/semantic/probe";
import { embeddingsCall } from "./calls/embeddings";
import { callModel } from "./pipeline";
import type { CallContext } from "./types";

/**
 * The semantic cache's embedding call: an ordinary embeddings call of the caller (its key's model
 * list, limits and budget apply; its own spend row, request id `<call's id>-embed`), without the
 * cache hooks. Throws when the call fails or answers no vector (the lookup then matches exactly only).
 */
export function cacheEmbedder(cx: CallContext): Embed {
  return async (model, input) => {
    const res = await callModel({ ...cx, hooks: undefined, requestId: `${cx.requestId}-embed` }, embeddingsCall({ model, input }));
    const body = (await res.json()) as { data?: Array<{ embedding?: unknown }> };
    const vector = body.data?.[0]?.embedding;
    if (!Array.isArray(vector) || !vector.length || !vector.every((x) => typeof x === "number")) throw new Error("The embedding model answered without a vector.");
    return vector as number[];
  };
}
