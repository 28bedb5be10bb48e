import type { Deployment } from "../../config/deployment";
import { IncompleteStream, translateStream } from "../../http/sse";
import { upstreamUnreadable } from "../../http/errors";
import { ChunkWriter } from "../shared/chunks";
import { sseTranslator } from "../shared/sse-translator";
import type { AdapterContext, StreamSink } from "../types";
import { cohereUsage, finishReason } from "./translate";

type Ev = { type?: string; index?: number; delta?: { message?: Record<string, any>; finish_reason?: string; usage?: unknown }; message?: string };

/**
 * Cohere v2 stream events -> OpenAI chunks: content-delta text, tool-plan-delta as
 * reasoning_content, tool-call-start/-delta as tool calls, message-end with the finish reason and
 * usage. A stream that ends without message-end ends in an error event.
 */
export function cohereStream(body: ReadableStream<Uint8Array>, dep: Deployment, ctx: AdapterContext, sink: StreamSink): ReadableStream<Uint8Array> {
  const w = new ChunkWriter(ctx, dep.model, sink);
  let ended = false;
  const translator = sseTranslator(
    (event) => {
      let e: Ev;
      try {
        e = JSON.parse(event.data);
      } catch {
        return "";
      }
      const m = e.delta?.message;
      switch (e.type) {
        case "message-start":
          return w.start();
        case "content-delta":
          return w.content(m?.content?.text ?? "");
        case "tool-plan-delta":
          return w.reasoning(m?.tool_plan ?? "");
        case "tool-call-start": {
          const t = m?.tool_calls ?? {};
          return w.toolStart(e.index ?? 0, t.id ?? `call_${e.index ?? 0}`, t.function?.name ?? "", t.function?.arguments ?? "");
        }
        case "tool-call-delta":
          return w.toolArgs(e.index ?? 0, m?.tool_calls?.function?.arguments ?? "");
        case "message-end": {
          ended = true;
          const usage = cohereUsage(e.delta?.usage);
          if (usage) w.usage(usage);
          return w.finish(finishReason(e.delta?.finish_reason));
        }
        default:
          return "";
      }
    },
    () => {
      if (!ended) throw new IncompleteStream("", upstreamUnreadable("Cohere's stream ended before message-end."));
      return w.end();
    },
  );
  return translateStream(body, translator, (o) => sink.end(o));
}
