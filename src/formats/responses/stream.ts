import type { GatewayError } from "../../http/errors";
import type { StreamTranslator } from "../../http/sse";
import type { FinishReason, StreamSink, Usage } from "../../providers/types";
import { chunkReader, FormatWriter, QUIET_SINK } from "../chunk-reader";
import { functionCallItem, incompleteReason, itemId, messageItem, reasoningItem, responseObject, type ResponseContext } from "./response";

type Json = Record<string, unknown>;

interface Item {
  kind: "message" | "reasoning" | "function_call";
  id: string;
  index: number;
  text: string;
  callId?: string;
  name?: string;
  done: boolean;
}

/**
 * The Responses API's events for a translated stream: `response.created` and
 * `response.in_progress`, then per output item `response.output_item.added`, its deltas
 * (`response.output_text.delta` within a content part, `response.function_call_arguments.delta`,
 * `response.reasoning_text.delta`), their `.done` events and `response.output_item.done`; at the
 * end `response.completed` (or `response.incomplete` when the model ran out of tokens) with the
 * whole response and its usage. A failure becomes an `error` event.
 */
export class ResponsesWriter extends FormatWriter {
  private seq = 0;
  private started = false;
  private readonly items: Item[] = [];
  private open: Item | null = null;
  /** OpenAI tool index -> its function_call item. */
  private readonly tools = new Map<number, Item>();

  constructor(
    private readonly ctx: ResponseContext,
    private readonly usageOf: () => Usage | null,
    sink: StreamSink,
  ) {
    super(sink);
  }

  private event(type: string, data: Json = {}): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.seq++, ...data })}\n\n`;
  }

  private snapshot(it: Item): Json {
    return it.kind === "message"
      ? messageItem(it.id, it.text, it.done ? "completed" : "in_progress")
      : it.kind === "reasoning"
        ? reasoningItem(it.id, it.text)
        : functionCallItem(it.id, it.callId ?? "", it.name ?? "", it.text, it.done ? "completed" : "in_progress");
  }

  start(): string {
    if (this.started) return "";
    this.started = true;
    const response = responseObject(this.ctx, "in_progress", [], null);
    return this.event("response.created", { response }) + this.event("response.in_progress", { response });
  }

  private close(): string {
    const it = this.open;
    if (!it) return "";
    this.open = null;
    it.done = true;
    const at = { item_id: it.id, output_index: it.index };
    let out = "";
    if (it.kind === "message") {
      const part = { type: "output_text", text: it.text, annotations: [], logprobs: [] };
      out += this.event("response.output_text.done", { ...at, content_index: 0, text: it.text, logprobs: [] });
      out += this.event("response.content_part.done", { ...at, content_index: 0, part });
    } else if (it.kind === "reasoning") {
      out += this.event("response.reasoning_text.done", { ...at, content_index: 0, text: it.text });
    } else {
      out += this.event("response.function_call_arguments.done", { ...at, name: it.name, arguments: it.text });
    }
    return out + this.event("response.output_item.done", { output_index: it.index, item: this.snapshot(it) });
  }

  private openItem(it: Omit<Item, "index" | "done" | "text">): { out: string; item: Item } {
    let out = this.start() + this.close();
    const item: Item = { ...it, index: this.items.length, text: "", done: false };
    this.items.push(item);
    this.open = item;
    const added = item.kind === "reasoning" ? { id: item.id, type: "reasoning", summary: [], content: [] } : this.snapshot(item);
    out += this.event("response.output_item.added", { output_index: item.index, item: added });
    if (item.kind === "message") {
      out += this.event("response.content_part.added", { item_id: item.id, output_index: item.index, content_index: 0, part: { type: "output_text", text: "", annotations: [], logprobs: [] } });
    }
    return { out, item };
  }

  private textDelta(kind: "message" | "reasoning", delta: string): string {
    let out = this.start();
    let it = this.open?.kind === kind ? this.open : null;
    if (!it) {
      const n = this.items.filter((i) => i.kind === kind).length;
      const opened = this.openItem({ kind, id: itemId(this.ctx, kind === "message" ? "msg" : "rs", n) });
      out += opened.out;
      it = opened.item;
    }
    it.text += delta;
    const at = { item_id: it.id, output_index: it.index, content_index: 0, delta };
    return out + this.event(kind === "message" ? "response.output_text.delta" : "response.reasoning_text.delta", kind === "message" ? { ...at, logprobs: [] } : at);
  }

  protected renderText(text: string): string {
    return this.textDelta("message", text);
  }

  protected renderReasoning(text: string): string {
    return this.textDelta("reasoning", text);
  }

  protected renderToolStart(index: number, id: string, name: string, args: string): string {
    const callId = id || `call_${this.ctx.requestId.replace(/-/g, "").slice(0, 24)}_${index}`;
    const { out, item } = this.openItem({ kind: "function_call", id: itemId(this.ctx, "fc", this.tools.size), callId, name });
    this.tools.set(index, item);
    return out + (args ? this.renderToolArgs(index, args) : "");
  }

  protected renderToolArgs(index: number, fragment: string): string {
    const it = this.tools.get(index);
    if (!it) return "";
    it.text += fragment;
    return it.done ? "" : this.event("response.function_call_arguments.delta", { item_id: it.id, output_index: it.index, delta: fragment });
  }

  protected renderFinish(_reason: FinishReason): string {
    return "";
  }

  protected renderEnd(usage: Usage | null): string {
    const out = this.close();
    const incomplete = incompleteReason(this.finishReason);
    const response = responseObject(
      this.ctx,
      incomplete ? "incomplete" : "completed",
      this.items.map((it) => this.snapshot(it)),
      this.usageOf() ?? usage,
      incomplete,
    );
    return out + this.event(incomplete ? "response.incomplete" : "response.completed", { response });
  }

  fail(err: { type: string | null; code: string | null; message: string }): string {
    return this.start() + this.errorEvent(err.code ?? err.type, err.message);
  }

  abort(): string {
    return this.start();
  }

  errorEvent(code: string | null, message: string, param: string | null = null): string {
    return this.event("error", { code, message, param });
  }
}

/** An OpenAI chunk stream (an OpenAI-format upstream's) as the Responses API's events, and the error event that ends a failed one. */
export function responsesStream(ctx: ResponseContext, usageOf: () => Usage | null): { translator: StreamTranslator; formatError(err: GatewayError): string } {
  const w = new ResponsesWriter(ctx, usageOf, QUIET_SINK);
  return { translator: chunkReader(w), formatError: (err) => w.errorEvent(err.code ?? err.type, err.message, err.param) };
}
