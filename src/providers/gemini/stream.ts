import type { EventSourceMessage } from "eventsource-parser";
import type { Deployment } from "../../config/deployment";
import { type GatewayError, upstreamUnreadable } from "../../http/errors";
import { IncompleteStream, type StreamTranslator } from "../../http/sse";
import { type PartWriter, writerFor } from "../shared/chunks";
import { sseTranslator } from "../shared/sse-translator";
import type { AdapterContext, StreamSink } from "../types";
import { geminiStreamError } from "./errors";
import { blockedPrompt, finishReason, geminiUsage, toolCallOf } from "./response";
import type { GenerateContentResponse } from "./types";

/**
 * Gemini's `streamGenerateContent?alt=sse` as OpenAI chunks. Each event is a whole
 * GenerateContentResponse: its text parts are content deltas (thought parts reasoning_content), a
 * function call arrives whole (index, id, name and all its arguments in one chunk), usageMetadata
 * is cumulative (the last one counts), and `finishReason` comes on the last candidate chunk.
 * Gemini sends no end marker: the finish, the usage chunk (when asked) and [DONE] are written when
 * the upstream closes, and a stream that closes without a finishReason ends in an error event.
 */
export function geminiStreamTranslator(dep: Deployment, ctx: AdapterContext, sink: StreamSink): StreamTranslator {
  let writer: PartWriter | undefined;
  let finish: string | undefined;
  let toolCalls = 0;
  let failure: GatewayError | undefined;

  const onEvent = (event: EventSourceMessage): string => {
    if (failure) return "";
    let data: GenerateContentResponse;
    try {
      const parsed = JSON.parse(event.data) as unknown;
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      data = parsed as GenerateContentResponse;
    } catch {
      failure = upstreamUnreadable("The upstream sent a stream event that is not a JSON object.");
      return "";
    }
    if (data.error) {
      failure = geminiStreamError(data, dep);
      return "";
    }
    const blocked = blockedPrompt(data);
    if (blocked) {
      failure = blocked;
      return "";
    }
    try {
      return translate(data);
    } catch (e) {
      // A JSON object of another shape (a `parts` that is not a list, a `candidates` that is a number):
      // the stream is unreadable, said as such rather than as the TypeError it raised.
      if (!(e instanceof TypeError)) throw e;
      failure = upstreamUnreadable("The upstream sent a stream event of an unexpected shape.");
      return "";
    }
  };

  const translate = (data: GenerateContentResponse): string => {
    const w = (writer ??= writerFor(ctx, typeof data.modelVersion === "string" && data.modelVersion ? data.modelVersion : dep.model, sink));
    if (data.usageMetadata) {
      const usage = geminiUsage(data.usageMetadata);
      if (usage) w.usage(usage);
    }
    const candidate = data.candidates?.find((c) => (c.index ?? 0) === 0);
    if (!candidate) return "";
    let out = w.start();
    for (const part of candidate.content?.parts ?? []) {
      if (part.functionCall) {
        const call = toolCallOf(part);
        out += w.toolStart(toolCalls++, call.id, call.function.name, call.function.arguments);
      } else if (typeof part.text === "string") {
        out += part.thought ? w.reasoning(part.text) : w.content(part.text);
      }
    }
    if (candidate.finishReason) finish = candidate.finishReason;
    return out;
  };

  const onEnd = (): string => {
    if (failure) throw new IncompleteStream("", failure);
    if (!finish || !writer) {
      throw new IncompleteStream("", upstreamUnreadable("The upstream stream ended before it was complete (no finishReason)."));
    }
    return writer.end(finishReason(finish, writer.hasToolCalls));
  };

  const inner = sseTranslator(onEvent, onEnd);
  return {
    chunk(bytes) {
      const out = inner.chunk(bytes);
      if (failure) throw new IncompleteStream(typeof out === "string" ? out : "", failure);
      return out;
    },
    end: () => inner.end(),
  };
}
