import { chatChunkOf } from "../openai-answer";
import { upstreamUnreadable, type GatewayError } from "../../http/errors";
import { IncompleteStream, type StreamTranslator } from "../../http/sse";
import { sseTranslator } from "../../providers/shared/sse-translator";
import type { Usage } from "../../providers/types";
import { openaiUsage } from "../../providers/usage";
import { functionCallItem, incompleteReason, itemId, messageItem, reasoningItem, responseObject, type ResponseContext } from "./response";
import { isObject } from "../../http/json";

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

interface ResponsesStream {
  translator: StreamTranslator;
  /** The error event that ends a failed stream (for translateStream). */
  formatError(err: GatewayError): string;
}

/**
 * The adapter's OpenAI chunk stream as the Responses API's events: `response.created` and
 * `response.in_progress`, then per output item `response.output_item.added`, its deltas
 * (`response.output_text.delta` within a content part, `response.function_call_arguments.delta`,
 * `response.reasoning_text.delta`), their `.done` events and `response.output_item.done`; at
 * `[DONE]` `response.completed` (or `response.incomplete` when the model ran out of tokens) with
 * the whole response and its usage. An error becomes an `error` event.
 */
export function responsesStream(ctx: ResponseContext, usageOf: () => Usage | null): ResponsesStream {
  let seq = 0;
  let started = false;
  let finished = false;
  const items: Item[] = [];
  let open: Item | null = null;
  const tools = new Map<number, Item>();
  let finish: unknown = null;
  let chunkUsage: Usage | null = null;

  const event = (type: string, data: Json = {}) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  const snapshot = (it: Item): Json =>
    it.kind === "message"
      ? messageItem(it.id, it.text, it.done ? "completed" : "in_progress")
      : it.kind === "reasoning"
        ? reasoningItem(it.id, it.text)
        : functionCallItem(it.id, it.callId ?? "", it.name ?? "", it.text, it.done ? "completed" : "in_progress");
  const start = () => {
    if (started) return "";
    started = true;
    const response = responseObject(ctx, "in_progress", [], null);
    return event("response.created", { response }) + event("response.in_progress", { response });
  };
  const close = (): string => {
    const it = open;
    if (!it) return "";
    open = null;
    it.done = true;
    const at = { item_id: it.id, output_index: it.index };
    let out = "";
    if (it.kind === "message") {
      const part = { type: "output_text", text: it.text, annotations: [], logprobs: [] };
      out += event("response.output_text.done", { ...at, content_index: 0, text: it.text, logprobs: [] });
      out += event("response.content_part.done", { ...at, content_index: 0, part });
    } else if (it.kind === "reasoning") {
      out += event("response.reasoning_text.done", { ...at, content_index: 0, text: it.text });
    } else {
      out += event("response.function_call_arguments.done", { ...at, name: it.name, arguments: it.text });
    }
    return out + event("response.output_item.done", { output_index: it.index, item: snapshot(it) });
  };
  const openItem = (it: Omit<Item, "index" | "done" | "text">): { out: string; item: Item } => {
    let out = close();
    const item: Item = { ...it, index: items.length, text: "", done: false };
    items.push(item);
    open = item;
    const added = item.kind === "reasoning" ? { id: item.id, type: "reasoning", summary: [], content: [] } : snapshot(item);
    out += event("response.output_item.added", { output_index: item.index, item: added });
    if (item.kind === "message") {
      out += event("response.content_part.added", { item_id: item.id, output_index: item.index, content_index: 0, part: { type: "output_text", text: "", annotations: [], logprobs: [] } });
    }
    return { out, item };
  };
  const textDelta = (kind: "message" | "reasoning", delta: string): string => {
    let out = "";
    let it = open?.kind === kind ? open : null;
    if (!it) {
      const n = items.filter((i) => i.kind === kind).length;
      ({ out, item: it } = openItem({ kind, id: itemId(ctx, kind === "message" ? "msg" : "rs", n) }));
    }
    it.text += delta;
    const at = { item_id: it.id, output_index: it.index, content_index: 0, delta };
    return out + event(kind === "message" ? "response.output_text.delta" : "response.reasoning_text.delta", kind === "message" ? { ...at, logprobs: [] } : at);
  };
  const toolDelta = (tc: Json): string => {
    const key = typeof tc.index === "number" ? tc.index : 0;
    const fn = isObject(tc.function) ? tc.function : {};
    let out = "";
    let it = tools.get(key);
    if (!it) {
      const callId = typeof tc.id === "string" && tc.id ? tc.id : `call_${ctx.requestId.replace(/-/g, "").slice(0, 24)}_${key}`;
      ({ out, item: it } = openItem({ kind: "function_call", id: itemId(ctx, "fc", tools.size), callId, name: typeof fn.name === "string" ? fn.name : "" }));
      tools.set(key, it);
    }
    const args = typeof fn.arguments === "string" ? fn.arguments : "";
    if (!args) return out;
    it.text += args;
    return it.done ? out : out + event("response.function_call_arguments.delta", { item_id: it.id, output_index: it.index, delta: args });
  };
  const end = (): string => {
    finished = true;
    let out = start() + close();
    const incomplete = incompleteReason(finish);
    const response = responseObject(ctx, incomplete ? "incomplete" : "completed", items.map(snapshot), usageOf() ?? chunkUsage, incomplete);
    out += event(incomplete ? "response.incomplete" : "response.completed", { response });
    return out;
  };
  const errorEvent = (code: string | null, message: string, param: string | null = null) => event("error", { code, message, param });

  const translator = sseTranslator(
    (e) => {
      if (finished) return;
      const chunk = chatChunkOf(e);
      if (chunk === "done") return end();
      if (!chunk) return;
      if (isObject(chunk.error)) {
        finished = true;
        const err = chunk.error;
        const code = typeof err.code === "string" ? err.code : typeof err.type === "string" ? err.type : null;
        return start() + errorEvent(code, typeof err.message === "string" ? err.message : "The upstream failed mid-stream.");
      }
      if (isObject(chunk.usage)) chunkUsage = openaiUsage(chunk.usage);
      let out = start();
      const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
      if (!isObject(choice)) return out;
      const delta = isObject(choice.delta) ? choice.delta : {};
      if (typeof delta.reasoning_content === "string" && delta.reasoning_content) out += textDelta("reasoning", delta.reasoning_content);
      if (typeof delta.content === "string" && delta.content) out += textDelta("message", delta.content);
      if (Array.isArray(delta.tool_calls)) for (const tc of delta.tool_calls) if (isObject(tc)) out += toolDelta(tc);
      if (choice.finish_reason) finish = choice.finish_reason;
      return out;
    },
    () => {
      if (finished) return "";
      throw new IncompleteStream(start(), upstreamUnreadable("The stream ended before it was complete."));
    },
  );
  return { translator, formatError: (err) => errorEvent(err.code ?? err.type, err.message, err.param) };
}
