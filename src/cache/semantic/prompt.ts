/**
 * What the semantic cache embeds: the prompt's text (chat and Anthropic messages: each message's
 * role and text; completions: the prompt; responses: the instructions and the input), or null
 * when the prompt is not matched semantically (tools, images, audio or files, unless allowed; a
 * prompt of token ids; one too long to embed faithfully).
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The body fields that make up the prompt of each route: the rest of the body partitions the index. */
const PROMPT_FIELDS: Record<string, readonly string[]> = {
  chat: ["messages"],
  completions: ["prompt"],
  responses: ["input", "instructions"],
  messages: ["messages", "system"],
};

/** Longer prompts are matched exactly only (an embedding of a long text says little about its details). */
export const MAX_PROMPT_CHARS = 16_000;

const TEXT_PARTS = new Set(["text", "input_text", "output_text"]);

class NotSemantic extends Error {}

/** The text of a message's content: a string, or its text parts (any other part: not semantic unless allowed). */
function contentText(content: unknown, allowMedia: boolean): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (!Array.isArray(content)) throw new NotSemantic();
  const out: string[] = [];
  for (const part of content) {
    if (typeof part === "string") out.push(part);
    else if (isObject(part) && TEXT_PARTS.has(String(part.type)) && typeof part.text === "string") out.push(part.text);
    else if (!allowMedia) throw new NotSemantic();
  }
  return out.join("\n");
}

function messagesText(messages: unknown, allowMedia: boolean): string[] {
  if (!Array.isArray(messages)) throw new NotSemantic();
  return messages.map((m) => {
    if (!isObject(m)) throw new NotSemantic();
    if (!allowMedia && (m.tool_calls || m.role === "tool" || m.role === "function")) throw new NotSemantic();
    return `${String(m.role ?? "user")}: ${contentText(m.content, allowMedia)}`;
  });
}

const hasTools = (body: Json) => (Array.isArray(body.tools) && body.tools.length > 0) || (Array.isArray(body.functions) && body.functions.length > 0);

function lines(route: string, body: Json, allow: boolean): string[] {
  switch (route) {
    case "chat":
      return messagesText(body.messages, allow);
    case "messages":
      return [...(body.system !== undefined ? [`system: ${contentText(body.system, allow)}`] : []), ...messagesText(body.messages, allow)];
    case "completions": {
      const p = body.prompt;
      if (typeof p === "string") return [p];
      if (Array.isArray(p) && p.every((x) => typeof x === "string")) return p as string[];
      throw new NotSemantic();
    }
    case "responses": {
      const head = typeof body.instructions === "string" ? [`system: ${body.instructions}`] : [];
      const input = body.input;
      if (typeof input === "string") return [...head, `user: ${input}`];
      if (!Array.isArray(input)) throw new NotSemantic();
      return [
        ...head,
        ...input.map((item) => {
          if (!isObject(item) || (item.type !== undefined && item.type !== "message")) throw new NotSemantic();
          return `${String(item.role ?? "user")}: ${contentText(item.content, allow)}`;
        }),
      ];
    }
    default:
      throw new NotSemantic();
  }
}

export function promptText(route: string, body: unknown, includeToolsAndImages: boolean): string | null {
  if (!isObject(body) || (!includeToolsAndImages && hasTools(body))) return null;
  try {
    const text = lines(route, body, includeToolsAndImages).join("\n");
    return text.trim() && text.length <= MAX_PROMPT_CHARS ? text : null;
  } catch (e) {
    if (e instanceof NotSemantic) return null;
    throw e;
  }
}

/** The body without its prompt fields (what must be equal for two prompts to answer each other). */
export function withoutPrompt(route: string, fields: Json): Json {
  const out: Json = { ...fields };
  for (const f of PROMPT_FIELDS[route] ?? []) delete out[f];
  return out;
}
