import { invalidRequest } from "../../http/errors";
import type { ChatMessage } from "../../api/chat";
import { parseArguments } from "../shared/params";
import { ImageBudget } from "../shared/images";
import { contentBlocks, imageBlock, textOnly, withCachePoint } from "./content";
import type { ContentBlock, ConverseMessage, SystemBlock, ToolResultBlock, ToolResultContent } from "./types";

interface ConvertedMessages {
  system: SystemBlock[];
  messages: ConverseMessage[];
}

/** Converse tool-use ids match ^[a-zA-Z0-9_-]+$: ids minted elsewhere are made to fit (the same way each time). */
const toolUseId = (id: string): string => id.replace(/[^a-zA-Z0-9_-]/g, "_") || "_";

/** LiteLLM's `thinking_blocks` on an assistant message (a reply replayed with its reasoning) as reasoningContent blocks. */
function reasoningBlocks(value: unknown, param: string): ContentBlock[] {
  if (value == null) return [];
  if (!Array.isArray(value)) throw invalidRequest(`'${param}' must be an array of thinking blocks.`, param);
  return value.map((b, i): ContentBlock => {
    const o = (b ?? {}) as Record<string, unknown>;
    if (o.type === "thinking" && typeof o.thinking === "string") {
      const text: { text: string; signature?: string } = { text: o.thinking };
      if (typeof o.signature === "string" && o.signature) text.signature = o.signature;
      return { reasoningContent: { reasoningText: text } };
    }
    if (o.type === "redacted_thinking" && typeof o.data === "string") return { reasoningContent: { redactedContent: o.data } };
    throw invalidRequest(`'${param}[${i}]' must be {type: "thinking", thinking, signature} or {type: "redacted_thinking", data}.`, `${param}[${i}]`);
  });
}

function toolInput(args: string, param: string): Record<string, unknown> {
  const input = parseArguments(args, param);
  if (!input || typeof input !== "object" || Array.isArray(input)) throw invalidRequest(`The tool call arguments at '${param}' must be a JSON object.`, param);
  return input as Record<string, unknown>;
}

function assistantBlocks(m: ChatMessage, i: number, keepTools: boolean): ContentBlock[] {
  const blocks = reasoningBlocks((m as Record<string, unknown>).thinking_blocks, `messages[${i}].thinking_blocks`);
  blocks.push(...textOnly(m.content, `messages[${i}].content`, "Assistant messages"));
  (m.tool_calls ?? []).forEach((call, j) => {
    const param = `messages[${i}].tool_calls[${j}].function.arguments`;
    const input = toolInput(call.function.arguments, param);
    blocks.push(
      keepTools ? { toolUse: { toolUseId: toolUseId(call.id), name: call.function.name, input } } : { text: `[called tool ${call.function.name} (id ${call.id}) with ${JSON.stringify(input)}]` },
    );
  });
  return withCachePoint(blocks, m);
}

async function toolResultContent(m: ChatMessage, i: number, budget: ImageBudget): Promise<ToolResultContent[]> {
  const param = `messages[${i}].content`;
  if (m.content == null || typeof m.content === "string") return [{ text: m.content ?? "" }];
  const out: ToolResultContent[] = [];
  for (const [j, part] of m.content.entries()) {
    const p = part as Record<string, unknown>;
    if (p.type === "text" && typeof p.text === "string") out.push({ text: p.text });
    else if (p.type === "image_url") {
      const url = (p.image_url as { url?: unknown } | undefined)?.url ?? p.image_url;
      if (typeof url !== "string") throw invalidRequest(`The image part at '${param}[${j}]' has no 'image_url.url'.`, `${param}[${j}].image_url.url`);
      out.push((await imageBlock(url, `${param}[${j}].image_url.url`, budget)) as ToolResultContent);
    } else throw invalidRequest(`Tool results may hold text and images for bedrock ('${param}[${j}]' is ${String(p.type)}).`, `${param}[${j}]`);
  }
  return out.length ? out : [{ text: "" }];
}

async function toolResult(m: ChatMessage, i: number, keepTools: boolean, budget: ImageBudget): Promise<ContentBlock[]> {
  if (typeof m.tool_call_id !== "string" || !m.tool_call_id) {
    throw invalidRequest(`The tool message at 'messages[${i}]' needs a 'tool_call_id'.`, `messages[${i}].tool_call_id`);
  }
  const content = await toolResultContent(m, i, budget);
  if (!keepTools) {
    const text = content.map((c) => ("text" in c ? c.text : "json" in c ? JSON.stringify(c.json) : "[image]")).join("\n");
    return [{ text: `[result of tool call ${m.tool_call_id}: ${text}]` }];
  }
  const block: ToolResultBlock = { toolResult: { toolUseId: toolUseId(m.tool_call_id), content } };
  return withCachePoint([block], m);
}

/**
 * OpenAI messages as Converse's `system` and `messages`: system and developer messages are lifted
 * into `system` (in order), tool calls become toolUse blocks, tool messages toolResult blocks in a
 * user turn, and consecutive turns of one role are merged (Converse wants turns to alternate).
 * When the request sends no tools (none given, or tool_choice "none"), Converse refuses tool
 * blocks, so earlier calls and results are kept as text instead.
 */
export async function convertMessages(input: readonly ChatMessage[], keepTools: boolean, budget: ImageBudget = new ImageBudget()): Promise<ConvertedMessages> {
  const system: SystemBlock[] = [];
  const converted = await Promise.all(
    input.map(async (m, i): Promise<{ role: "user" | "assistant"; content: ContentBlock[] } | undefined> => {
      switch (m.role) {
        case "system":
        case "developer":
          system.push(...withCachePoint(textOnly(m.content, `messages[${i}].content`, "System messages"), m));
          return undefined;
        case "user": {
          const content = withCachePoint(await contentBlocks(m.content, `messages[${i}].content`, budget), m);
          if (!content.length) throw invalidRequest(`The user message at 'messages[${i}]' is empty; bedrock needs content in every message.`, `messages[${i}].content`);
          return { role: "user", content };
        }
        case "assistant":
          return { role: "assistant", content: assistantBlocks(m, i, keepTools) };
        case "tool":
          return { role: "user", content: await toolResult(m, i, keepTools, budget) };
        default:
          throw invalidRequest(`The role '${m.role}' at 'messages[${i}]' is not supported by bedrock; send tool results as 'tool' messages.`, `messages[${i}].role`);
      }
    }),
  );
  const messages: ConverseMessage[] = [];
  for (const turn of converted) {
    if (!turn || turn.content.length === 0) continue; // an empty assistant turn carries nothing
    const last = messages.at(-1);
    if (last && last.role === turn.role) last.content.push(...turn.content);
    else messages.push({ role: turn.role, content: [...turn.content] });
  }
  if (messages.length === 0) throw invalidRequest("'messages' must hold at least one user or assistant message for bedrock (system messages alone are not a conversation).", "messages");
  return { system, messages };
}
