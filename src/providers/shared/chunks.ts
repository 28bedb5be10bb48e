import { SSE_DONE, sseData } from "../../http/sse";
import type { AdapterContext, StreamSink, Usage } from "../types";
import { toOpenAIUsage } from "../usage";

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

/**
 * Writes OpenAI `chat.completion.chunk` events for a translated stream: one id for the whole
 * stream, `role: "assistant"` on the first delta, tool calls as index+id+name then argument
 * fragments, `finish_reason` on the last content chunk, the usage chunk when the client asked,
 * then `[DONE]`. Each method returns SSE text to send.
 */
export class ChunkWriter {
  private readonly id: string;
  private started = false;
  private finished: FinishReason | null = null;
  private usageSeen: Usage | null = null;
  private toolIndex = new Map<string | number, number>();

  constructor(
    private readonly ctx: AdapterContext,
    private readonly model: string,
    private readonly sink: StreamSink,
  ) {
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

  content(text: string): string {
    this.sink.produced?.(text.length);
    this.sink.text?.(text);
    return text ? this.event({ content: text }) : "";
  }

  /** Reasoning text, as `reasoning_content` (the field LiteLLM and DeepSeek use). */
  reasoning(text: string): string {
    this.sink.produced?.(text.length);
    return text ? this.event({ reasoning_content: text }) : "";
  }

  /**
   * Starts tool call `key` (the provider's own block index or id): OpenAI's index, id and name,
   * with the first argument fragment when there is one.
   */
  toolStart(key: string | number, id: string, name: string, args = ""): string {
    const index = this.toolIndex.size;
    this.toolIndex.set(key, index);
    return this.event({ tool_calls: [{ index, id, type: "function", function: { name, arguments: args } }] });
  }

  toolArgs(key: string | number, fragment: string): string {
    const index = this.toolIndex.get(key);
    if (index === undefined || !fragment) return "";
    this.sink.produced?.(fragment.length);
    return this.event({ tool_calls: [{ index, function: { arguments: fragment } }] });
  }

  get hasToolCalls(): boolean {
    return this.toolIndex.size > 0;
  }

  /** The finish chunk (once). */
  finish(reason: FinishReason): string {
    if (this.finished) return "";
    this.finished = reason;
    return this.event({}, reason);
  }

  /** Records the upstream's usage (reported to the sink; sent to the client at the end when asked). */
  usage(u: Usage): void {
    this.usageSeen = u;
    this.sink.usage(u);
  }

  /** Closes the stream: finish (if the upstream never said), the usage chunk when asked, `[DONE]`. */
  end(fallbackReason: FinishReason = "stop"): string {
    let out = this.start();
    if (!this.finished) out += this.finish(this.hasToolCalls && fallbackReason === "stop" ? "tool_calls" : fallbackReason);
    if (this.ctx.includeUsage && this.usageSeen) {
      out += sseData({
        id: this.id,
        object: "chat.completion.chunk",
        created: this.ctx.created,
        model: this.model,
        choices: [],
        usage: toOpenAIUsage(this.usageSeen),
      });
    }
    return out + SSE_DONE;
  }
}
