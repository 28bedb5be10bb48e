import { SSE_DONE, sseData } from "../../http/sse";
import type { AdapterContext, FinishReason, StreamSink, Usage } from "../types";
import { toOpenAIUsage } from "../usage";

export type { FinishReason };

/**
 * A translated stream as typed parts: the adapter that reads a provider's stream calls these
 * (text, reasoning, tool-call start and argument fragments, finish, usage, end), and the writer of
 * the client's format renders them (OpenAI chat chunks here; Anthropic Messages and Responses
 * events in src/formats). The parts' bookkeeping — what was produced, the exported text, the usage
 * reported to the call's sink — happens here once, whatever the format. Each call returns the SSE
 * text to send.
 */
export abstract class PartWriter {
  private finished: FinishReason | null = null;
  private usageSeen: Usage | null = null;
  private readonly toolIndex = new Map<string | number, number>();

  constructor(protected readonly sink: StreamSink) {}

  /** The stream's opening (once); later parts open it on their own when needed. */
  abstract start(): string;
  protected abstract renderText(text: string): string;
  protected abstract renderReasoning(text: string): string;
  /** Tool call number `index` (0, 1, ... in the answer) begins, with its first argument fragment when there is one. */
  protected abstract renderToolStart(index: number, id: string, name: string, args: string): string;
  protected abstract renderToolArgs(index: number, fragment: string): string;
  protected abstract renderFinish(reason: FinishReason): string;
  /** The stream's last events, after its finish; `usage` is the upstream's, when it sent one. */
  protected abstract renderEnd(usage: Usage | null): string;

  content(text: string): string {
    this.sink.produced?.(text.length);
    this.sink.text?.(text);
    return text ? this.renderText(text) : "";
  }

  /** Reasoning text (OpenAI chunks carry it as `reasoning_content`, the field LiteLLM and DeepSeek use). */
  reasoning(text: string): string {
    this.sink.produced?.(text.length);
    return text ? this.renderReasoning(text) : "";
  }

  /** Starts tool call `key` (the provider's own block index or id), with the first argument fragment when there is one. */
  toolStart(key: string | number, id: string, name: string, args = ""): string {
    const index = this.toolIndex.size;
    this.toolIndex.set(key, index);
    return this.renderToolStart(index, id, name, args);
  }

  toolArgs(key: string | number, fragment: string): string {
    const index = this.toolIndex.get(key);
    if (index === undefined || !fragment) return "";
    this.sink.produced?.(fragment.length);
    return this.renderToolArgs(index, fragment);
  }

  /** Whether tool call `key` has started. */
  hasTool(key: string | number): boolean {
    return this.toolIndex.has(key);
  }

  get hasToolCalls(): boolean {
    return this.toolIndex.size > 0;
  }

  /** The finish (once). */
  finish(reason: FinishReason): string {
    if (this.finished) return "";
    this.finished = reason;
    return this.renderFinish(reason);
  }

  /** The reason the stream finished with, once it has. */
  get finishReason(): FinishReason | null {
    return this.finished;
  }

  /** Records the upstream's usage (reported to the sink; rendered at the end). */
  usage(u: Usage): void {
    this.usageSeen = u;
    this.sink.usage(u);
  }

  /** Closes the stream: the finish (if the upstream never said), then the format's closing events. */
  end(fallbackReason: FinishReason = "stop"): string {
    let out = this.start();
    if (!this.finished) out += this.finish(this.hasToolCalls && fallbackReason === "stop" ? "tool_calls" : fallbackReason);
    return out + this.renderEnd(this.usageSeen);
  }
}

/**
 * The OpenAI `chat.completion.chunk` writer: one id for the whole stream, `role: "assistant"` on
 * the first delta, tool calls as index+id+name then argument fragments, `finish_reason` on the
 * last content chunk, the usage chunk when the client asked, then `[DONE]`.
 */
export class ChunkWriter extends PartWriter {
  private readonly id: string;
  private started = false;

  constructor(
    private readonly ctx: AdapterContext,
    private readonly model: string,
    sink: StreamSink,
  ) {
    super(sink);
    this.id = `chatcmpl-${ctx.requestId}`;
    // The stream's id as the client gets it (a surface that writes its own id overrides it).
    sink.responseId?.(this.id);
  }

  private event(delta: Record<string, unknown>, finish: FinishReason | null = null): string {
    if (!this.started) {
      this.started = true;
      delta = { role: "assistant", ...delta };
    }
    return sseData({
      id: this.id,
      object: "chat.completion.chunk",
      created: this.ctx.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  }

  /** The opening delta (`role: "assistant"`, empty content); later deltas do this on their own. */
  start(): string {
    return this.started ? "" : this.event({ content: "" });
  }

  protected renderText(text: string): string {
    return this.event({ content: text });
  }

  protected renderReasoning(text: string): string {
    return this.event({ reasoning_content: text });
  }

  protected renderToolStart(index: number, id: string, name: string, args: string): string {
    return this.event({ tool_calls: [{ index, id, type: "function", function: { name, arguments: args } }] });
  }

  protected renderToolArgs(index: number, fragment: string): string {
    return this.event({ tool_calls: [{ index, function: { arguments: fragment } }] });
  }

  protected renderFinish(reason: FinishReason): string {
    return this.event({}, reason);
  }

  protected renderEnd(usage: Usage | null): string {
    if (!this.ctx.includeUsage || !usage) return SSE_DONE;
    return sseData({ id: this.id, object: "chat.completion.chunk", created: this.ctx.created, model: this.model, choices: [], usage: toOpenAIUsage(usage) }) + SSE_DONE;
  }
}

/** The writer a translating adapter writes its stream with: the client format's (ctx.format), else OpenAI chat chunks. */
export function writerFor(ctx: AdapterContext, model: string, sink: StreamSink): PartWriter {
  return ctx.format ? ctx.format.writer(sink) : new ChunkWriter(ctx, model, sink);
}
