import { eventStream, isObject, sseEvents } from "./sse-events";

// A Responses API answer moves between its two shapes for the cache: a streamed miss is the
// `response` its terminal event carries (stored like a complete answer), and a hit asked for with
// `stream: true` is replayed as the Responses event sequence.

type Json = Record<string, unknown>;

/**
 * The response a streamed answer amounts to: the one in its `response.completed` (or
 * `response.incomplete`) event, its output filled from the `response.output_item.done` events when
 * the terminal event left it empty. Null when the stream failed (`error`, `response.failed`) or
 * never ended.
 */
export function assembleResponses(chunks: Iterable<Uint8Array>): string | null {
  const events = sseEvents(chunks);
  if (!events) return null;
  const items = new Map<number, unknown>();
  for (const { type, data } of events) {
    if (type === "error" || type === "response.failed") return null;
    if (type === "response.output_item.done" && typeof data.output_index === "number") items.set(data.output_index, data.item);
    if ((type === "response.completed" || type === "response.incomplete") && isObject(data.response)) {
      const response = data.response;
      if ((!Array.isArray(response.output) || !response.output.length) && items.size) {
        response.output = [...items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
      }
      return JSON.stringify(response);
    }
  }
  return null;
}

/** One output item as its added event, its content's deltas and done events, and its done event. */
function itemEvents(ev: (type: string, data: Json) => void, index: number, item: Json): void {
  const id = item.id;
  const at = { item_id: id, output_index: index };
  if (item.type === "message" && Array.isArray(item.content)) {
    ev("response.output_item.added", { output_index: index, item: { ...item, status: "in_progress", content: [] } });
    item.content.forEach((part, j) => {
      if (!isObject(part)) return;
      const refusal = part.type === "refusal";
      const empty = refusal ? { type: "refusal", refusal: "" } : { ...part, text: "", annotations: [] };
      ev("response.content_part.added", { ...at, content_index: j, part: empty });
      if (refusal) {
        ev("response.refusal.delta", { ...at, content_index: j, delta: String(part.refusal ?? "") });
        ev("response.refusal.done", { ...at, content_index: j, refusal: String(part.refusal ?? "") });
      } else {
        ev("response.output_text.delta", { ...at, content_index: j, delta: String(part.text ?? ""), logprobs: [] });
        ev("response.output_text.done", { ...at, content_index: j, text: String(part.text ?? ""), logprobs: [] });
      }
      ev("response.content_part.done", { ...at, content_index: j, part });
    });
  } else if (item.type === "function_call") {
    ev("response.output_item.added", { output_index: index, item: { ...item, status: "in_progress", arguments: "" } });
    ev("response.function_call_arguments.delta", { ...at, delta: String(item.arguments ?? "") });
    ev("response.function_call_arguments.done", { ...at, name: item.name, arguments: String(item.arguments ?? "") });
  } else ev("response.output_item.added", { output_index: index, item });
  ev("response.output_item.done", { output_index: index, item });
}

/**
 * A complete response as the Responses API's stream: `response.created`, `response.in_progress`,
 * each output item, and `response.completed` (`response.incomplete` for an incomplete one) with the
 * whole response; every event numbered (`sequence_number`). Null when the JSON is not a response.
 */
export function replayResponses(json: string): ReadableStream<Uint8Array> | null {
  let response: unknown;
  try {
    response = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isObject(response) || !Array.isArray(response.output)) return null;
  const events: Array<[string, Json]> = [];
  const ev = (type: string, data: Json) => events.push([type, { type, sequence_number: events.length, ...data }]);
  const head = { ...response, status: "in_progress", output: [], usage: null, incomplete_details: null };
  ev("response.created", { response: head });
  ev("response.in_progress", { response: head });
  response.output.forEach((item, i) => {
    if (isObject(item)) itemEvents(ev, i, item);
  });
  ev(response.status === "incomplete" ? "response.incomplete" : "response.completed", { response });
  return eventStream(events);
}
