import type { Deployment } from "../../config/deployment";
import { type GatewayError, upstreamUnreadable } from "../../http/errors";
import { IncompleteStream, type StreamTranslator } from "../../http/sse";
import { writerFor } from "../shared/chunks";
import type { AdapterContext, StreamSink } from "../types";
import { bedrockStreamError } from "./errors";
import { FrameDecoder, FrameError, type StreamFrame } from "./eventstream";
import { modelName } from "./models";
import { converseUsage, finishReason } from "./response";
import { JSON_TOOL_NAME, type ConverseUsage } from "./types";
import { isObject } from "../../http/json";

type Json = Record<string, unknown>;
type BlockKind = "text" | "tool" | "json" | "reasoning";

const indexOf = (e: Json): number => (typeof e.contentBlockIndex === "number" ? e.contentBlockIndex : -1);

/**
 * ConverseStream's eventstream as OpenAI chunks: `messageStart` (role), `contentBlockStart`
 * (a tool call's id and name), `contentBlockDelta` (text, tool input fragments, reasoning text),
 * `contentBlockStop`, `messageStop` (the finish reason), `metadata` (usage; before or after
 * messageStop). The stream is closed (usage chunk when asked, [DONE]) when the upstream ends
 * after messageStop. An exception frame, a corrupt frame (bad CRC), or an upstream that ends
 * before messageStop ends in an error event.
 */
export function bedrockStreamTranslator(dep: Deployment, ctx: AdapterContext, sink: StreamSink): StreamTranslator {
  const decoder = new FrameDecoder();
  const writer = writerFor(ctx, modelName(dep), sink);
  const blocks = new Map<number, { kind: BlockKind; args: boolean }>();
  let stopReason: string | undefined;
  let jsonMode = false;
  let failure: GatewayError | undefined;

  const blockStart = (e: Json): string => {
    const start = isObject(e.start) ? e.start : {};
    const use = isObject(start.toolUse) ? start.toolUse : undefined;
    if (!use) return "";
    const index = indexOf(e);
    if (use.name === JSON_TOOL_NAME) {
      jsonMode = true;
      blocks.set(index, { kind: "json", args: false });
      return writer.start();
    }
    blocks.set(index, { kind: "tool", args: false });
    return writer.toolStart(index, String(use.toolUseId ?? ""), String(use.name ?? ""));
  };

  const blockDelta = (e: Json): string => {
    const delta = isObject(e.delta) ? e.delta : {};
    const index = indexOf(e);
    if (typeof delta.text === "string") {
      if (!blocks.has(index)) blocks.set(index, { kind: "text", args: false });
      return writer.content(delta.text);
    }
    if (isObject(delta.reasoningContent)) {
      if (!blocks.has(index)) blocks.set(index, { kind: "reasoning", args: false });
      const text = delta.reasoningContent.text;
      return typeof text === "string" ? writer.reasoning(text) : ""; // signature / redactedContent carry no text
    }
    const use = isObject(delta.toolUse) ? delta.toolUse : undefined;
    const b = blocks.get(index);
    if (!use || typeof use.input !== "string" || !use.input || !b) return "";
    b.args = true;
    if (b.kind === "json") return writer.content(use.input);
    return b.kind === "tool" ? writer.toolArgs(index, use.input) : "";
  };

  const blockStop = (e: Json): string => {
    const b = blocks.get(indexOf(e));
    if (!b || b.args) return "";
    b.args = true;
    // A tool called with no arguments streams none: OpenAI clients expect "{}".
    if (b.kind === "tool") return writer.toolArgs(indexOf(e), "{}");
    return b.kind === "json" ? writer.content("{}") : "";
  };

  const onEvent = (type: string | undefined, e: Json): string => {
    switch (type) {
      case "messageStart":
        return writer.start();
      case "contentBlockStart":
        return blockStart(e);
      case "contentBlockDelta":
        return blockDelta(e);
      case "contentBlockStop":
        return blockStop(e);
      case "messageStop":
        stopReason = typeof e.stopReason === "string" ? e.stopReason : "end_turn";
        return writer.start() + writer.finish(jsonMode && stopReason === "tool_use" ? "stop" : finishReason(stopReason));
      case "metadata": {
        const usage = converseUsage(isObject(e.usage) ? (e.usage as ConverseUsage) : undefined);
        if (usage) writer.usage(usage);
        return "";
      }
      default:
        return ""; // event types Bedrock may add
    }
  };

  const onFrame = (frame: StreamFrame): string => {
    if (frame.messageType === "exception") {
      failure = bedrockStreamError(frame.exceptionType, frame.payload, dep);
      return "";
    }
    if (frame.messageType === "error") {
      failure = bedrockStreamError(frame.errorCode, frame.errorMessage ?? frame.payload, dep);
      return "";
    }
    let data: unknown;
    try {
      data = JSON.parse(frame.payload);
    } catch {
      failure = upstreamUnreadable(`The upstream sent a stream event (${frame.eventType ?? "unnamed"}) that is not JSON.`);
      return "";
    }
    if (!isObject(data)) return "";
    // The event's type is its `:event-type` header; a payload keyed by the type (as some proxies and recordings write it) is accepted too.
    const type = frame.eventType ?? Object.keys(data)[0];
    const inner = frame.eventType === undefined && type && isObject(data[type]) ? (data[type] as Json) : data;
    return onEvent(type, inner);
  };

  return {
    chunk(bytes) {
      if (failure) return "";
      let out = "";
      try {
        for (const frame of decoder.push(bytes)) {
          out += onFrame(frame);
          if (failure) break;
        }
      } catch (e) {
        if (!(e instanceof FrameError)) throw e;
        failure = upstreamUnreadable(`The upstream stream is corrupt: ${e.message}.`);
      }
      if (failure) throw new IncompleteStream(out, failure);
      return out;
    },
    end() {
      if (failure) throw new IncompleteStream("", failure);
      if (decoder.pending > 0) {
        throw new IncompleteStream("", upstreamUnreadable(`The upstream stream ended inside an eventstream frame (${decoder.pending} bytes left over).`));
      }
      if (stopReason === undefined) {
        throw new IncompleteStream("", upstreamUnreadable("The upstream stream ended before it was complete (no messageStop)."));
      }
      return writer.end(finishReason(stopReason));
    },
  };
}
