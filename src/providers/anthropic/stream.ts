import type { EventSourceMessage } from "eventsource-parser";
import type { Deployment } from "../../config/deployment";
import { type GatewayError, upstreamUnreadable } from "../../http/errors";
import { IncompleteStream, type StreamTranslator } from "../../http/sse";
import { type PartWriter, writerFor } from "../shared/chunks";
import { sseTranslator } from "../shared/sse-translator";
import type { AdapterContext, StreamSink } from "../types";
import { anthropicStreamError } from "./errors";
import { anthropicUsage, finishReason } from "./response";
import { JSON_TOOL_NAME, type AnthropicUsage, type ResponseBlock } from "./types";
import { isObject } from "../../http/json";

type Json = Record<string, unknown>;
type BlockKind = "text" | "tool" | "json" | "thinking" | "other";

/**
 * Anthropic's SSE stream as OpenAI chunks: `message_start` (role, input usage; a repeated one is
 * ignored), `content_block_start`/`_delta`/`_stop` (text, tool calls with their argument
 * fragments, thinking as reasoning_content), `message_delta` (stop reason, output usage),
 * `message_stop` (finish, usage chunk when asked, [DONE]); `ping` and unknown events are skipped.
 * An `error` event, or a stream that ends before `message_stop`, ends in an error event.
 */
export function anthropicStreamTranslator(dep: Deployment, ctx: AdapterContext, sink: StreamSink): StreamTranslator {
  let writer: PartWriter | undefined;
  let model: string | undefined;
  let started = false;
  let stopped = false;
  let jsonMode = false;
  let failure: GatewayError | undefined;
  let stopReason: string | null = null;
  const usage: AnthropicUsage = {};
  const blocks = new Map<number, { kind: BlockKind; args: boolean }>();
  const w = () => (writer ??= writerFor(ctx, model ?? dep.model, sink));

  const mergeUsage = (u: unknown) => {
    if (!isObject(u)) return;
    for (const key of ["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"] as const) {
      if (typeof u[key] === "number") usage[key] = u[key] as number;
    }
    const translated = anthropicUsage(usage);
    if (translated) w().usage(translated);
  };

  const blockStart = (index: number, block: ResponseBlock): string => {
    if (block.type === "text") {
      blocks.set(index, { kind: "text", args: false });
      return w().content(block.text ?? "");
    }
    if (block.type === "thinking") {
      blocks.set(index, { kind: "thinking", args: false });
      return w().reasoning(block.thinking ?? "");
    }
    if (block.type !== "tool_use") {
      blocks.set(index, { kind: "other", args: false });
      return "";
    }
    const initial = isObject(block.input) && Object.keys(block.input).length ? JSON.stringify(block.input) : "";
    if (block.name === JSON_TOOL_NAME) {
      jsonMode = true;
      blocks.set(index, { kind: "json", args: !!initial });
      return w().content(initial);
    }
    blocks.set(index, { kind: "tool", args: !!initial });
    return w().toolStart(index, String(block.id ?? ""), String(block.name ?? ""), initial);
  };

  const blockDelta = (index: number, delta: Json): string => {
    if (delta.type === "text_delta" && typeof delta.text === "string") return w().content(delta.text);
    if (delta.type === "thinking_delta" && typeof delta.thinking === "string") return w().reasoning(delta.thinking);
    if (delta.type !== "input_json_delta" || typeof delta.partial_json !== "string" || !delta.partial_json) return "";
    const b = blocks.get(index);
    if (!b) return "";
    b.args = true;
    if (b.kind === "json") return w().content(delta.partial_json);
    return b.kind === "tool" ? w().toolArgs(index, delta.partial_json) : "";
  };

  const blockStop = (index: number): string => {
    const b = blocks.get(index);
    if (!b || b.args) return "";
    b.args = true;
    // A tool called with no arguments streams none: OpenAI clients expect "{}".
    if (b.kind === "tool") return w().toolArgs(index, "{}");
    return b.kind === "json" ? w().content("{}") : "";
  };

  const onEvent = (event: EventSourceMessage): string => {
    if (stopped || failure) return "";
    let data: Json;
    try {
      const parsed = JSON.parse(event.data) as unknown;
      if (!isObject(parsed)) throw new Error("not an object");
      data = parsed;
    } catch {
      failure = upstreamUnreadable("The upstream sent a stream event that is not a JSON object.");
      return "";
    }
    const type = typeof data.type === "string" ? data.type : event.event;
    const index = typeof data.index === "number" ? data.index : -1;
    switch (type) {
      case "message_start": {
        if (started) return ""; // a repeated message_start (seen in recorded traffic) changes nothing
        started = true;
        const message = isObject(data.message) ? data.message : {};
        if (typeof message.model === "string" && message.model) model = message.model;
        mergeUsage(message.usage);
        return w().start();
      }
      case "content_block_start":
        return isObject(data.content_block) ? blockStart(index, data.content_block as unknown as ResponseBlock) : "";
      case "content_block_delta":
        return isObject(data.delta) ? blockDelta(index, data.delta) : "";
      case "content_block_stop":
        return blockStop(index);
      case "message_delta": {
        const delta = isObject(data.delta) ? data.delta : {};
        if (typeof delta.stop_reason === "string") stopReason = delta.stop_reason;
        mergeUsage(data.usage);
        return "";
      }
      case "message_stop":
        stopped = true;
        return w().end(jsonMode && stopReason === "tool_use" ? "stop" : finishReason(stopReason));
      case "error":
        failure = anthropicStreamError(data, dep);
        return "";
      default:
        return ""; // ping, and event types Anthropic may add
    }
  };

  const onEnd = (): string => {
    if (failure) throw new IncompleteStream("", failure);
    if (stopped) return "";
    throw new IncompleteStream("", upstreamUnreadable("The upstream stream ended before it was complete (no message_stop)."));
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
