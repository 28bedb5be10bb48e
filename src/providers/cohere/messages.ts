import { invalidRequest } from "../../http/errors";
import type { ChatMessage } from "../../api/chat";
import type { Json } from "./types";

type Part = { type: string; text?: unknown; image_url?: unknown };

/**
 * OpenAI messages as Cohere v2 messages, which have the same roles and nearly the same fields:
 * - system and developer -> `system`; user text and `image_url` parts pass as they are (Cohere's
 *   vision models take image URLs and data URLs); other part types are refused, naming the part;
 * - an assistant turn with tool_calls keeps them (same shape, arguments as a JSON string); its text,
 *   if any, is what Cohere calls the `tool_plan` (Cohere takes no content beside tool calls);
 * - tool results keep `tool_call_id`; the deprecated `function` role is refused.
 */
export function cohereMessages(messages: readonly ChatMessage[]): Json[] {
  return messages.map((m, i) => {
    switch (m.role) {
      case "system":
      case "developer":
        return { role: "system", content: textContent(m.content, i) };
      case "user":
        return { role: "user", content: userContent(m.content, i) };
      case "assistant":
        return assistant(m, i);
      case "tool":
        if (!m.tool_call_id) throw invalidRequest(`messages[${i}] (role 'tool') needs a tool_call_id.`, `messages[${i}].tool_call_id`);
        return { role: "tool", tool_call_id: m.tool_call_id, content: textContent(m.content, i) };
      default:
        throw invalidRequest(`Cohere does not take the deprecated '${m.role}' role (messages[${i}]); send tool results as role 'tool' with a tool_call_id.`, `messages[${i}].role`);
    }
  });
}

function assistant(m: ChatMessage, i: number): Json {
  if (m.tool_calls?.length) {
    const out: Json = {
      role: "assistant",
      tool_calls: m.tool_calls.map((t) => ({ id: t.id, type: "function", function: { name: t.function.name, arguments: t.function.arguments || "{}" } })),
    };
    const plan = plainText(m.content, i);
    if (plan) out.tool_plan = plan;
    return out;
  }
  return { role: "assistant", content: textContent(m.content, i) };
}

/** Content that may only be text: a string, or text parts. */
function textContent(content: ChatMessage["content"], i: number): string | Json[] {
  if (content == null) return "";
  if (typeof content === "string") return content;
  return (content as Part[]).map((p, j) => {
    if (p.type !== "text") throw unsupportedPart(p.type, i, j);
    return { type: "text", text: String(p.text ?? "") };
  });
}

function plainText(content: ChatMessage["content"], i: number): string {
  const c = textContent(content, i);
  return typeof c === "string" ? c : c.map((p) => p.text as string).join("");
}

function userContent(content: ChatMessage["content"], i: number): string | Json[] {
  if (content == null || typeof content === "string") return content ?? "";
  return (content as Part[]).map((p, j) => {
    if (p.type === "text") return { type: "text", text: String(p.text ?? "") };
    if (p.type === "image_url") {
      const img = p.image_url as { url?: unknown; detail?: unknown } | string | undefined;
      const url = typeof img === "string" ? img : img?.url;
      if (typeof url !== "string" || !url) throw invalidRequest(`messages[${i}].content[${j}].image_url needs a url.`, `messages[${i}].content[${j}].image_url.url`);
      const detail = typeof img === "object" && typeof img.detail === "string" ? { detail: img.detail } : {};
      return { type: "image_url", image_url: { url, ...detail } };
    }
    throw unsupportedPart(p.type, i, j);
  });
}

const unsupportedPart = (type: string, i: number, j: number) =>
  invalidRequest(`Cohere does not take '${type}' content here (messages[${i}].content[${j}]); it takes text, and image_url in user messages.`, `messages[${i}].content[${j}].type`);
