import { eventStream, isObject, sseEvents } from "./sse-events";

// An Anthropic Messages answer moves between its two shapes for the cache: a streamed miss is
// assembled into the `message` it amounts to (stored like a complete answer), and a hit asked for
// with `stream: true` is replayed as Anthropic's event sequence.

type Json = Record<string, unknown>;

/**
 * The message a streamed answer amounts to, or null when the stream did not end normally
 * (no `message_stop`, an `error` event, a block never closed): only a whole answer is cached.
 */
export function assembleMessages(chunks: Iterable<Uint8Array>): string | null {
  const events = sseEvents(chunks);
  if (!events) return null;
  let message: Json | undefined;
  const blocks = new Map<number, { block: Json; json: string; open: boolean }>();
  let stopped = false;
  for (const { type, data } of events) {
    if (stopped || type === "error") return null;
    if (type === "message_start" && isObject(data.message)) message = { ...data.message };
    else if (type === "content_block_start" && typeof data.index === "number" && isObject(data.content_block)) {
      blocks.set(data.index, { block: { ...data.content_block }, json: "", open: true });
    } else if (type === "content_block_delta" && typeof data.index === "number" && isObject(data.delta)) {
      const b = blocks.get(data.index);
      if (!b) return null;
      const d = data.delta;
      if (d.type === "text_delta") b.block.text = String(b.block.text ?? "") + String(d.text ?? "");
      else if (d.type === "thinking_delta") b.block.thinking = String(b.block.thinking ?? "") + String(d.thinking ?? "");
      else if (d.type === "signature_delta") b.block.signature = String(b.block.signature ?? "") + String(d.signature ?? "");
      else if (d.type === "input_json_delta") b.json += String(d.partial_json ?? "");
      else if (d.type === "citations_delta") b.block.citations = [...(Array.isArray(b.block.citations) ? b.block.citations : []), d.citation];
      else return null;
    } else if (type === "content_block_stop" && typeof data.index === "number") {
      const b = blocks.get(data.index);
      if (!b) return null;
      b.open = false;
      if (b.json) {
        try {
          b.block.input = JSON.parse(b.json);
        } catch {
          return null;
        }
      }
    } else if (type === "message_delta" && message) {
      if (isObject(data.delta)) Object.assign(message, data.delta);
      if (isObject(data.usage)) message.usage = { ...(isObject(message.usage) ? message.usage : {}), ...data.usage };
    } else if (type === "message_stop") stopped = true;
  }
  if (!message || !stopped || [...blocks.values()].some((b) => b.open)) return null;
  message.content = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, b]) => b.block);
  return JSON.stringify(message);
}

/** One content block as its start, deltas (the whole text, thinking or input at once) and stop. */
function blockEvents(index: number, block: Json): Array<[string, Json]> {
  const delta = (d: Json): [string, Json] => ["content_block_delta", { type: "content_block_delta", index, delta: d }];
  const out: Array<[string, Json]> = [];
  const start = (content_block: Json) => out.push(["content_block_start", { type: "content_block_start", index, content_block }]);
  if (block.type === "text") {
    start({ ...block, text: "", ...(block.citations ? { citations: [] } : {}) });
    for (const citation of Array.isArray(block.citations) ? block.citations : []) out.push(delta({ type: "citations_delta", citation }));
    out.push(delta({ type: "text_delta", text: String(block.text ?? "") }));
  } else if (block.type === "thinking") {
    start({ type: "thinking", thinking: "", signature: "" });
    out.push(delta({ type: "thinking_delta", thinking: String(block.thinking ?? "") }));
    if (block.signature) out.push(delta({ type: "signature_delta", signature: String(block.signature) }));
  } else if (block.type === "tool_use" || block.type === "server_tool_use") {
    start({ ...block, input: {} });
    out.push(delta({ type: "input_json_delta", partial_json: JSON.stringify(block.input ?? {}) }));
  } else start(block);
  out.push(["content_block_stop", { type: "content_block_stop", index }]);
  return out;
}

/**
 * A complete message as Anthropic's stream: `message_start` (the message without content, no
 * output tokens yet), `ping`, each block, `message_delta` (stop_reason, stop_sequence, the usage)
 * and `message_stop`. Null when the stored JSON is not a message.
 */
export function replayMessages(json: string): ReadableStream<Uint8Array> | null {
  let message: unknown;
  try {
    message = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isObject(message) || !Array.isArray(message.content)) return null;
  const usage = isObject(message.usage) ? message.usage : {};
  const events: Array<[string, Json]> = [
    ["message_start", { type: "message_start", message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 0 } } }],
    ["ping", { type: "ping" }],
  ];
  message.content.forEach((block, i) => {
    if (isObject(block)) events.push(...blockEvents(i, block));
  });
  events.push(["message_delta", { type: "message_delta", delta: { stop_reason: message.stop_reason ?? "end_turn", stop_sequence: message.stop_sequence ?? null }, usage }]);
  events.push(["message_stop", { type: "message_stop" }]);
  return eventStream(events);
}
