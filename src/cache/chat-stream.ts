import { createParser } from "eventsource-parser";
import { SSE_DONE, sseData } from "../http/sse";

// A chat answer moves between its two shapes for the cache: a streamed miss is assembled into the
// complete `chat.completion` it amounts to (stored like any answer), and a hit asked for with
// `stream: true` is replayed as a well-formed stream of `chat.completion.chunk`s.

interface ToolCall {
  id?: string;
  type?: string;
  function: { name: string; arguments: string };
}

interface Choice {
  index: number;
  role?: string;
  content: string | null;
  refusal: string | null;
  reasoning?: string;
  tools: Map<number, ToolCall>;
  finish: string | null;
  logprobs?: unknown;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The complete answer a streamed chat completion amounts to, or null when the stream did not end
 * normally (no `[DONE]`, an error event, a choice without its finish_reason): only a whole answer
 * is ever cached.
 */
export function assembleChat(chunks: Iterable<Uint8Array>): string | null {
  let head: Json | undefined;
  let usage: unknown;
  let done = false;
  let broken = false;
  const choices = new Map<number, Choice>();
  const parser = createParser({
    onEvent(ev) {
      if (broken || done) return;
      if (ev.data === "[DONE]") {
        done = true;
        return;
      }
      let chunk: unknown;
      try {
        chunk = JSON.parse(ev.data);
      } catch {
        broken = true;
        return;
      }
      if (!isObject(chunk) || "error" in chunk || chunk.object !== "chat.completion.chunk") {
        broken = true;
        return;
      }
      head ??= chunk;
      if (chunk.usage) usage = chunk.usage;
      for (const c of Array.isArray(chunk.choices) ? chunk.choices : []) {
        if (isObject(c)) addDelta(choices, c);
      }
    },
  });
  const decoder = new TextDecoder();
  for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
  parser.feed(decoder.decode());
  if (broken || !done || !head || !choices.size) return null;
  const list = [...choices.values()].sort((a, b) => a.index - b.index);
  if (list.some((c) => !c.finish)) return null;
  return JSON.stringify({
    id: head.id,
    object: "chat.completion",
    created: head.created,
    model: head.model,
    ...(head.system_fingerprint !== undefined ? { system_fingerprint: head.system_fingerprint } : {}),
    choices: list.map((c) => ({
      index: c.index,
      message: {
        role: c.role ?? "assistant",
        content: c.content,
        ...(c.refusal !== null ? { refusal: c.refusal } : {}),
        ...(c.reasoning !== undefined ? { reasoning_content: c.reasoning } : {}),
        ...(c.tools.size ? { tool_calls: [...c.tools.entries()].sort(([a], [b]) => a - b).map(([, t]) => ({ id: t.id, type: t.type ?? "function", function: t.function })) } : {}),
      },
      ...(c.logprobs !== undefined ? { logprobs: c.logprobs } : {}),
      finish_reason: c.finish,
    })),
    ...(usage ? { usage } : {}),
  });
}

function addDelta(choices: Map<number, Choice>, c: Json): void {
  const index = typeof c.index === "number" ? c.index : 0;
  let choice = choices.get(index);
  if (!choice) choices.set(index, (choice = { index, content: null, refusal: null, tools: new Map(), finish: null }));
  const delta = isObject(c.delta) ? c.delta : {};
  if (typeof delta.role === "string") choice.role = delta.role;
  if (typeof delta.content === "string") choice.content = (choice.content ?? "") + delta.content;
  if (typeof delta.refusal === "string") choice.refusal = (choice.refusal ?? "") + delta.refusal;
  if (typeof delta.reasoning_content === "string") choice.reasoning = (choice.reasoning ?? "") + delta.reasoning_content;
  for (const t of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
    if (!isObject(t)) continue;
    const at = typeof t.index === "number" ? t.index : choice.tools.size;
    let call = choice.tools.get(at);
    if (!call) choice.tools.set(at, (call = { function: { name: "", arguments: "" } }));
    if (typeof t.id === "string") call.id = t.id;
    if (typeof t.type === "string") call.type = t.type;
    const fn = isObject(t.function) ? t.function : {};
    if (typeof fn.name === "string") call.function.name += fn.name;
    if (typeof fn.arguments === "string") call.function.arguments += fn.arguments;
  }
  if (c.logprobs != null) choice.logprobs = c.logprobs;
  if (typeof c.finish_reason === "string") choice.finish = c.finish_reason;
}

/**
 * A complete chat answer as a stream: per choice, one chunk with the role and the whole content
 * (and each tool call whole), then one with its finish_reason; the usage chunk when the client
 * asked for it (`stream_options.include_usage`); `[DONE]`.
 */
export function replayChat(answerJson: string, includeUsage: boolean): ReadableStream<Uint8Array> | null {
  let answer: unknown;
  try {
    answer = JSON.parse(answerJson);
  } catch {
    return null;
  }
  if (!isObject(answer) || !Array.isArray(answer.choices)) return null;
  const base = {
    id: answer.id,
    object: "chat.completion.chunk",
    created: answer.created,
    model: answer.model,
    ...(answer.system_fingerprint !== undefined ? { system_fingerprint: answer.system_fingerprint } : {}),
  };
  const parts: string[] = [];
  for (const c of answer.choices) {
    if (!isObject(c)) continue;
    const m = isObject(c.message) ? c.message : {};
    const delta: Json = { role: m.role ?? "assistant", content: m.content ?? null };
    if (m.refusal != null) delta.refusal = m.refusal;
    if (m.reasoning_content != null) delta.reasoning_content = m.reasoning_content;
    if (Array.isArray(m.tool_calls)) delta.tool_calls = m.tool_calls.map((t, index) => ({ index, ...(isObject(t) ? t : {}) }));
    parts.push(sseData({ ...base, choices: [{ index: c.index ?? 0, delta, ...(c.logprobs != null ? { logprobs: c.logprobs } : {}), finish_reason: null }] }));
    parts.push(sseData({ ...base, choices: [{ index: c.index ?? 0, delta: {}, finish_reason: c.finish_reason ?? "stop" }] }));
  }
  if (includeUsage && answer.usage) parts.push(sseData({ ...base, choices: [], usage: answer.usage }));
  parts.push(SSE_DONE);
  const bytes = new TextEncoder().encode(parts.join(""));
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}
