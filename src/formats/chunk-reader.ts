import { upstreamUnreadable } from "../http/errors";
import { isObject } from "../http/json";
import { IncompleteStream, type StreamTranslator } from "../http/sse";
import { PartWriter } from "../providers/shared/chunks";
import { sseTranslator } from "../providers/shared/sse-translator";
import type { FinishReason, StreamSink } from "../providers/types";
import { openaiUsage } from "../providers/usage";
import { chatChunkOf } from "./openai-answer";

/** A client format's writer (Anthropic Messages, Responses): the typed parts, plus its error and its tail before one. */
export abstract class FormatWriter extends PartWriter {
  /** The stop sequence that ended the answer, when the upstream says which (vLLM's `stop_reason`). */
  matched: unknown = null;
  /** The upstream failed mid-stream: the format's error event (the stream ends with it). */
  abstract fail(err: { type: string | null; code: string | null; message: string }): string;
  /** What opens or closes the stream before its error event, when it stops short. */
  abstract abort(): string;
}

/** A sink that records nothing: on the reader's path the provider's own stream step already reported every part. */
export const QUIET_SINK: StreamSink = { usage() {}, end() {} };

const FINISHES = new Set<string>(["stop", "length", "tool_calls", "content_filter", "function_call"]);

/**
 * An OpenAI chat stream (an OpenAI-format upstream's, passed through its adapter) read into typed
 * parts for another client format's writer: text, reasoning (`reasoning_content` or `reasoning`),
 * tool-call starts and argument fragments, finish, usage; `[DONE]` ends it, an error event becomes
 * the format's error, and a stream that stops short ends in one too.
 */
export function chunkReader(w: FormatWriter): StreamTranslator {
  let finished = false;
  return sseTranslator(
    (e) => {
      if (finished) return;
      const chunk = chatChunkOf(e);
      if (chunk === "done") {
        finished = true;
        return w.end();
      }
      if (!chunk) return;
      if (isObject(chunk.error)) {
        finished = true;
        const err = chunk.error;
        return w.fail({
          type: typeof err.type === "string" ? err.type : null,
          code: typeof err.code === "string" ? err.code : null,
          message: typeof err.message === "string" ? err.message : "The upstream failed mid-stream.",
        });
      }
      if (isObject(chunk.usage)) {
        const usage = openaiUsage(chunk.usage);
        if (usage) w.usage(usage);
      }
      let out = w.start();
      const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
      if (!isObject(choice)) return out;
      const delta = isObject(choice.delta) ? choice.delta : {};
      const reasoning = typeof delta.reasoning_content === "string" ? delta.reasoning_content : delta.reasoning;
      if (typeof reasoning === "string") out += w.reasoning(reasoning);
      if (typeof delta.content === "string") out += w.content(delta.content);
      if (Array.isArray(delta.tool_calls)) {
        for (const tc of delta.tool_calls) {
          if (!isObject(tc)) continue;
          const key = typeof tc.index === "number" ? tc.index : 0;
          const fn = isObject(tc.function) ? tc.function : {};
          const args = typeof fn.arguments === "string" ? fn.arguments : "";
          out += w.hasTool(key) ? w.toolArgs(key, args) : w.toolStart(key, typeof tc.id === "string" ? tc.id : "", typeof fn.name === "string" ? fn.name : "", args);
        }
      }
      if (typeof choice.finish_reason === "string" && choice.finish_reason) {
        w.matched = choice.stop_reason ?? null;
        out += w.finish((FINISHES.has(choice.finish_reason) ? choice.finish_reason : "stop") as FinishReason);
      }
      return out;
    },
    () => {
      if (finished) return "";
      throw new IncompleteStream(w.abort(), upstreamUnreadable("The stream ended before it was complete."));
    },
  );
}
