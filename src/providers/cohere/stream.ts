import type { Deployment } from "../../config/deployment";
import type { GatewayError } from "../../http/errors";
import { upstreamUnreadable } from "../../http/errors";
import { IncompleteStream, translateStream } from "../../http/sse";
import { writerFor } from "../shared/chunks";
import { sseTranslator } from "../shared/sse-translator";
import type { AdapterContext, StreamSink } from "../types";
import { cohereUsage, failureOf, finishReason } from "./outcome";
import type { CohereStreamEvent } from "./types";

/**
 * Cohere's v2 stream (SSE: `event: <type>` and a JSON `data:` repeating it as `type`) as OpenAI
 * chunks:
 * - message-start -> the role chunk; content-delta text -> content, thinking -> reasoning_content;
 * - tool-plan-delta -> reasoning_content (as in non-streamed answers);
 * - tool-call-start -> the call's index, id and name (Cohere's `index` is its own position, kept
 *   apart from content indexes), tool-call-delta -> argument fragments; a call that streamed no
 *   arguments (a tool without parameters) gets "{}" at tool-call-end, so clients can parse it;
 * - message-end -> usage and finish_reason; ERROR or TIMEOUT (or an `error`) ends the stream with
 *   an error event and no [DONE]; so does a stream that stops before message-end.
 * content-start/-end, citation-start/-end and debug carry nothing an OpenAI chunk has.
 */
export function cohereStream(body: ReadableStream<Uint8Array>, dep: Deployment, ctx: AdapterContext, sink: StreamSink): ReadableStream<Uint8Array> {
  const w = writerFor(ctx, dep.model, sink);
  const withArgs = new Map<number, boolean>();
  let ended = false;
  let failure: GatewayError | undefined;

  const onEvent = (type: string, e: CohereStreamEvent): string => {
    const m = e.delta?.message;
    const index = typeof e.index === "number" ? e.index : 0;
    switch (type) {
      case "message-start":
        return w.start();
      case "content-delta": {
        const c = m?.content;
        if (typeof c?.thinking === "string") return w.reasoning(c.thinking);
        return w.content(c?.text ?? "");
      }
      case "tool-plan-delta":
        return w.reasoning(m?.tool_plan ?? "");
      case "tool-call-start": {
        const call = m?.tool_calls;
        const args = call?.function?.arguments && call.function.arguments !== "null" ? call.function.arguments : "";
        withArgs.set(index, args.length > 0);
        return w.toolStart(index, call?.id ?? `call_${index}`, call?.function?.name ?? "", args);
      }
      case "tool-call-delta": {
        const fragment = m?.tool_calls?.function?.arguments ?? "";
        if (fragment) withArgs.set(index, true);
        return w.toolArgs(index, fragment);
      }
      case "tool-call-end": {
        if (withArgs.get(index) !== false) return "";
        withArgs.set(index, true);
        return w.toolArgs(index, "{}");
      }
      case "message-end": {
        ended = true;
        const d = e.delta ?? {};
        const usage = cohereUsage(d.usage);
        if (usage) w.usage(usage);
        failure = failureOf(d.error && !d.finish_reason ? "ERROR" : d.finish_reason, d.error);
        if (failure) return "";
        const finish = finishReason(d.finish_reason);
        return w.finish(finish === "stop" && w.hasToolCalls ? "tool_calls" : finish);
      }
      default:
        return "";
    }
  };

  const translator = sseTranslator(
    (event) => {
      let e: CohereStreamEvent;
      try {
        e = JSON.parse(event.data) as CohereStreamEvent;
      } catch {
        return "";
      }
      return onEvent(e?.type ?? event.event ?? "", e ?? {});
    },
    () => {
      if (failure) throw new IncompleteStream("", failure);
      if (!ended) throw new IncompleteStream("", upstreamUnreadable("Cohere's stream ended before its message-end event."));
      return w.end();
    },
  );
  return translateStream(body, translator, (o) => sink.end(o), ctx.format?.error);
}
