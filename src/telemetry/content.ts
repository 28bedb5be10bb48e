/** Characters of one message's text an export keeps. */
const MAX_MESSAGE_CHARS = 8000;
/** Characters of content one event carries at most (queue messages stay far under 128 KB). */
const MAX_CONTENT_CHARS = 32_000;
const MARK = "...[truncated]";

const clip = (text: string): string => (text.length > MAX_MESSAGE_CHARS ? text.slice(0, MAX_MESSAGE_CHARS) + MARK : text);
/** A text clipped to MAX_MESSAGE_CHARS, marked when it was longer. */
export const clipText = clip;

/** A message with its text parts clipped to MAX_MESSAGE_CHARS (marked), other parts as they are. */
function clipMessage(m: unknown): unknown {
  if (typeof m === "string") return clip(m);
  if (!m || typeof m !== "object" || Array.isArray(m)) return m;
  const o = { ...(m as Record<string, unknown>) };
  if (typeof o.content === "string") o.content = clip(o.content);
  else if (Array.isArray(o.content)) {
    o.content = o.content.map((p) => {
      if (p && typeof p === "object" && typeof (p as { text?: unknown }).text === "string") return { ...p, text: clip((p as { text: string }).text) };
      if (p && typeof p === "object" && (p as { type?: unknown }).type === "image_url") return { type: "image_url", image_url: "[image]" };
      return p;
    });
  }
  return o;
}

/**
 * The request's messages (or prompt / input) clipped per message and, as a whole, to
 * MAX_CONTENT_CHARS: the oldest messages go first, and the list says how many were dropped.
 */
export function clipMessages(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value.map(clipMessage) : [clipMessage(value)];
  let size = JSON.stringify(list).length;
  let dropped = 0;
  while (size > MAX_CONTENT_CHARS && list.length > 1) {
    size -= JSON.stringify(list.shift()).length + 1;
    dropped++;
  }
  if (size > MAX_CONTENT_CHARS) return [clip(JSON.stringify(list[0]).slice(0, MAX_MESSAGE_CHARS))];
  return dropped ? [{ role: "system", content: `[${dropped} earlier messages not logged]` }, ...list] : Array.isArray(value) ? list : list[0];
}

/** The answer's text parts (OpenAI chat/completions shapes), clipped; other answers by a short JSON excerpt. */
export function clipAnswer(json: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return clip(json);
  }
  const choices = (parsed as { choices?: unknown })?.choices;
  if (Array.isArray(choices)) {
    return choices.map((c: Record<string, unknown>) => {
      const msg = c?.message as Record<string, unknown> | undefined;
      if (msg) return clipMessage({ role: msg.role ?? "assistant", content: msg.content ?? null, ...(msg.tool_calls ? { tool_calls: msg.tool_calls } : {}) });
      return typeof c?.text === "string" ? clip(c.text) : null;
    });
  }
  return clip(json);
}
