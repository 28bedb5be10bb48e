import type { StreamTranslator } from "../../http/sse";
import type { FinishReason, StreamSink, Usage } from "../../providers/types";
import { chunkReader, FormatWriter, QUIET_SINK } from "../chunk-reader";
import { anthropicErrorEvent, anthropicErrorType } from "./errors";
import { anthropicUsageOf, messageId, stopInfo, type MessageContext } from "./response";

type Json = Record<string, unknown>;
type Kind = "text" | "thinking" | "tool";

export interface StreamContext extends MessageContext {
  /** Input tokens estimated from the request, for `message_start` (the real count comes in `message_delta`). */
  inputEstimate: number;
  /** The usage the adapter reported (it knows cache writes, which OpenAI's usage JSON does not carry). */
  usage(): Usage | null;
}

const event = (type: string, data: Json = {}): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/**
 * Anthropic's event sequence for a translated stream: `message_start` and a `ping` first, then one
 * content block at a time (`content_block_start`, `content_block_delta` with text_delta /
 * thinking_delta / input_json_delta, `content_block_stop`), and at the end `message_delta`
 * (stop_reason, usage) and `message_stop`. A failure becomes Anthropic's `event: error`.
 */
export class AnthropicWriter extends FormatWriter {
  private started = false;
  private open: { index: number; kind: Kind } | null = null;
  private next = 0;
  /** OpenAI tool index -> content block index. */
  private readonly tools = new Map<number, number>();

  constructor(
    private readonly ctx: StreamContext,
    sink: StreamSink,
  ) {
    super(sink);
  }

  start(): string {
    if (this.started) return "";
    this.started = true;
    const message = {
      id: messageId(this.ctx.requestId),
      type: "message",
      role: "assistant",
      model: this.ctx.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: this.ctx.inputEstimate, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    };
    return event("message_start", { message }) + event("ping");
  }

  private close(): string {
    if (!this.open) return "";
    const out = event("content_block_stop", { index: this.open.index });
    this.open = null;
    return out;
  }

  private openBlock(kind: Kind, block: Json): { out: string; index: number } {
    const out = this.start() + this.close();
    const index = this.next++;
    this.open = { index, kind };
    return { out: out + event("content_block_start", { index, content_block: block }), index };
  }

  /** A text or thinking delta, opening a block of that kind when another one is open. */
  private textDelta(kind: "text" | "thinking", text: string): string {
    let out = this.start();
    let index = this.open?.kind === kind ? this.open.index : -1;
    if (index < 0) {
      const opened = this.openBlock(kind, kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" });
      out += opened.out;
      index = opened.index;
    }
    const delta = kind === "text" ? { type: "text_delta", text } : { type: "thinking_delta", thinking: text };
    return out + event("content_block_delta", { index, delta });
  }

  protected renderText(text: string): string {
    return this.textDelta("text", text);
  }

  protected renderReasoning(text: string): string {
    return this.textDelta("thinking", text);
  }

  protected renderToolStart(index: number, id: string, name: string, args: string): string {
    const toolId = id || `toolu_${this.ctx.requestId.replace(/-/g, "").slice(0, 20)}_${index}`;
    const opened = this.openBlock("tool", { type: "tool_use", id: toolId, name, input: {} });
    this.tools.set(index, opened.index);
    return opened.out + (args ? this.renderToolArgs(index, args) : "");
  }

  protected renderToolArgs(index: number, fragment: string): string {
    const block = this.tools.get(index);
    return block === undefined ? "" : event("content_block_delta", { index: block, delta: { type: "input_json_delta", partial_json: fragment } });
  }

  protected renderFinish(_reason: FinishReason): string {
    return this.close();
  }

  protected renderEnd(usage: Usage | null): string {
    const stop = stopInfo(this.finishReason, this.matched, this.ctx.stopSequences);
    const seen = this.ctx.usage() ?? usage;
    const u = seen ? anthropicUsageOf(seen) : { ...anthropicUsageOf(null), input_tokens: this.ctx.inputEstimate };
    return this.close() + event("message_delta", { delta: stop, usage: u }) + event("message_stop");
  }

  fail(err: { type: string | null; code: string | null; message: string }): string {
    return this.start() + anthropicErrorEvent(anthropicErrorType(err.type, err.code), err.message);
  }

  abort(): string {
    return this.start() + this.close();
  }
}

/** An OpenAI chunk stream (an OpenAI-format upstream's) as Anthropic's event sequence. */
export function anthropicStreamTranslator(ctx: StreamContext): StreamTranslator {
  return chunkReader(new AnthropicWriter(ctx, QUIET_SINK));
}
