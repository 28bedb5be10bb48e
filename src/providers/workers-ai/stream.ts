import { IncompleteStream, SSE_DONE, type StreamTranslator } from "../../http/sse";
import { compatStreamTranslator } from "../openai-compat/adapter";
import type { AdapterContext, StreamSink } from "../types";

const FINISHED = /"finish_reason":\s*"[a-z_]+"/;

/**
 * Workers AI's chat stream, passed through as OpenAI's (compatStreamTranslator: usage read for
 * pricing, the usage chunk kept only when the client asked). Cloudflare's reference does not say
 * that the OpenAI-compatible stream ends with `data: [DONE]` (its native one does): a stream that
 * closes after a chunk with a finish_reason is complete, and gets the `[DONE]` OpenAI clients
 * expect; one that closes before any finish_reason is still cut short (an error event, no [DONE]).
 */
export function workersAiStreamTranslator(ctx: AdapterContext, sink: StreamSink): StreamTranslator {
  const inner = compatStreamTranslator(ctx, sink);
  let finished = false;
  const seen = <T>(out: T): T => {
    if (!finished && typeof out === "string" && FINISHED.test(out)) finished = true;
    return out;
  };
  return {
    chunk: (bytes) => seen(inner.chunk(bytes)),
    end() {
      try {
        return inner.end();
      } catch (e) {
        if (!(e instanceof IncompleteStream) || !(finished || FINISHED.test(e.rest))) throw e;
        return e.rest + SSE_DONE;
      }
    },
  };
}
