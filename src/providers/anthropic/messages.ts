import { invalidRequest } from "../../http/errors";
import type { ChatMessage } from "../../api/chat";
import { parseArguments } from "../shared/params";
import { cacheControlOf, contentBlocks, textBlocks } from "./content";
import type { AnthropicMessage, Block, TextBlock, ThinkingBlock, ToolResultBlock, ToolUseBlock } from "./types";

interface ConvertedMessages {
  system: TextBlock[];
  messages: AnthropicMessage[];
}

/** Tool-use ids must match ^[a-zA-Z0-9_-]+$; ids minted by other providers are made to fit (the same way each time). */
const toolUseId = (id: string): string => id.replace(/[^a-zA-Z0-9_-]/g, "_");

/** A message-level `cache_control` marks the message's last block (LiteLLM's convention). */
function markLast<T extends Block>(blocks: T[], message: unknown): T[] {
  const cc = cacheControlOf(message);
  const last = blocks.at(-1);
  if (cc && last && last.type !== "thinking" && last.type !== "redacted_thinking") blocks[blocks.length - 1] = { ...last, cache_control: cc };
  return blocks;
}

function thinkingBlocks(value: unknown, param: string): ThinkingBlock[] {
  if (value == null) return [];
  if (!Array.isArray(value)) throw invalidRequest(`'${param}' must be an array of thinking blocks.`, param);
  return value.map((b, i) => {
    const o = (b ?? {}) as Record<string, unknown>;
    if (o.type === "thinking" && typeof o.thinking === "string" && typeof o.signature === "string") {
      return { type: "thinking", thinking: o.thinking, signature: o.signature };
    }
    if (o.type === "redacted_thinking" && typeof o.data === "string") return { type: "redacted_thinking", data: o.data };
    throw invalidRequest(`'${param}[${i}]' must be a thinking block ({type: "thinking", thinking, signature}) or {type: "redacted_thinking", data}.`, `${param}[${i}]`);
  });
}

function assistantBlocks(m: ChatMessage, i: number): Block[] {
  const raw = m as Record<string, unknown>;
  const blocks: Block[] = thinkingBlocks(raw.thinking_blocks, `messages[${i}].thinking_blocks`);
  for (const b of contentBlocks(m.content, `messages[${i}].content`)) {
    if (b.type !== "text") throw invalidRequest(`Assistant messages may hold only text for anthropic ('messages[${i}].content' has ${b.type}).`, `messages[${i}].content`);
    blocks.push(b);
  }
  (m.tool_calls ?? []).forEach((call, j) => {
    const param = `messages[${i}].tool_calls[${j}].function.arguments`;
    const input = parseArguments(call.function.arguments, param);
    if (!input || typeof input !== "object" || Array.isArray(input)) {
      throw invalidRequest(`The tool call arguments at '${param}' must be a JSON object.`, param);
    }
    const use: ToolUseBlock = { type: "tool_use", id: toolUseId(call.id), name: call.function.name, input };
    blocks.push(use);
  });
  return markLast(blocks, m);
}

function toolResult(m: ChatMessage, i: number): ToolResultBlock {
  if (typeof m.tool_call_id !== "string" || !m.tool_call_id) {
    throw invalidRequest(`The tool message at 'messages[${i}]' needs a 'tool_call_id'.`, `messages[${i}].tool_call_id`);
  }
  const content = typeof m.content === "string" || m.content == null ? (m.content ?? "") : contentBlocks(m.content, `messages[${i}].content`);
  const block: ToolResultBlock = { type: "tool_result", tool_use_id: toolUseId(m.tool_call_id), content };
  const cc = cacheControlOf(m);
  return cc ? { ...block, cache_control: cc } : block;
}

/**
 * OpenAI messages as Anthropic's `system` and `messages`: system and developer messages are
 * lifted into `system` (in order), tool calls become `tool_use` blocks, tool messages become
 * `tool_result` blocks in a user turn, and consecutive turns of one role are merged (tool results
 * first in their turn, as Anthropic requires).
 */
export function convertMessages(input: readonly ChatMessage[]): ConvertedMessages {
  const system: TextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  const push = (role: "user" | "assistant", content: Block[]) => {
    if (content.length === 0) return;
    const last = turns.at(-1);
    if (last && last.role === role) last.content.push(...content);
    else turns.push({ role, content: [...content] });
  };
  input.forEach((m, i) => {
    switch (m.role) {
      case "system":
      case "developer":
        system.push(...markLast(textBlocks(m.content, `messages[${i}].content`), m));
        return;
      case "user":
        push("user", markLast(contentBlocks(m.content, `messages[${i}].content`), m));
        return;
      case "assistant":
        push("assistant", assistantBlocks(m, i));
        return;
      case "tool":
        push("user", [toolResult(m, i)]);
        return;
      default:
        throw invalidRequest(`The role '${m.role}' at 'messages[${i}]' is not supported by anthropic; send tool results as 'tool' messages.`, `messages[${i}].role`);
    }
  });
  for (const turn of turns) {
    if (turn.role !== "user") continue;
    const results = turn.content.filter((b) => b.type === "tool_result");
    if (results.length && results.length < turn.content.length) turn.content = [...results, ...turn.content.filter((b) => b.type !== "tool_result")];
  }
  // A final assistant turn (a prefill) may not end with whitespace.
  const last = turns.at(-1);
  const tail = last?.role === "assistant" ? last.content.at(-1) : undefined;
  if (last && tail?.type === "text") {
    const text = tail.text.trimEnd();
    if (text) last.content[last.content.length - 1] = { ...tail, text };
    else last.content.pop();
    if (last.content.length === 0) turns.pop();
  }
  if (turns.length === 0) throw invalidRequest("'messages' must hold at least one user or assistant message for anthropic (system messages alone are not a conversation).", "messages");
  return { system, messages: turns };
}
