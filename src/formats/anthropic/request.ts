import { invalidRequest } from "../../http/errors";
import type { ChatMessage, ChatRequest } from "../../api/chat";
import type { AnthropicInputBlock, AnthropicInputMessage, MessagesRequest } from "./schema";

/**
 * Anthropic's Messages request as the gateway's internal (OpenAI-shaped) chat request, for every
 * provider but Anthropic itself (which gets the request natively):
 * - `system` (string or text blocks, and `system` messages) -> a system message;
 * - user blocks: text, image (base64 or URL) -> image_url, PDF document -> file part, text
 *   document -> text; `tool_result` blocks -> `tool` messages ahead of the turn's other content;
 * - assistant blocks: text -> content, `tool_use` -> tool_calls; thinking blocks are dropped
 *   (their signatures mean something only to Anthropic);
 * - tools (input_schema -> parameters), tool_choice (any -> required), stop_sequences -> stop,
 *   thinking / output_config.effort -> reasoning_effort, output_config.format -> response_format,
 *   metadata.user_id -> user.
 * What has no equivalent (server tools, file ids, ...) is a 400 naming it.
 */

type Json = Record<string, unknown>;
type Part = { type: string; [k: string]: unknown };

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function textOfBlocks(blocks: readonly AnthropicInputBlock[], param: string): string {
  return blocks
    .map((b, i) => {
      if (b.type !== "text" || typeof b.text !== "string") throw invalidRequest(`'${param}[${i}]' must be a text block.`, `${param}[${i}]`);
      return b.text;
    })
    .join("\n\n");
}

/** An image or document source as an OpenAI content part. */
function mediaPart(b: AnthropicInputBlock, param: string): Part {
  const source = (b.source ?? {}) as Json;
  if (b.type === "image") {
    if (source.type === "base64" && str(source.media_type) && str(source.data)) {
      return { type: "image_url", image_url: { url: `data:${source.media_type};base64,${source.data}` } };
    }
    if (source.type === "url" && str(source.url)) return { type: "image_url", image_url: { url: source.url } };
    throw invalidRequest(`'${param}.source' must be a base64 or url image source here (file ids are served by anthropic deployments only).`, `${param}.source`);
  }
  // document
  if (source.type === "base64" && str(source.data)) {
    const mediaType = str(source.media_type) ?? "application/pdf";
    const file: Json = { file_data: `data:${mediaType};base64,${source.data}` };
    if (str(b.title)) file.filename = b.title;
    return { type: "file", file };
  }
  if (source.type === "text" && str(source.data)) return { type: "text", text: source.data as string };
  if (source.type === "content") {
    const content = source.content;
    if (typeof content === "string") return { type: "text", text: content };
    if (Array.isArray(content)) return { type: "text", text: textOfBlocks(content as AnthropicInputBlock[], `${param}.source.content`) };
  }
  throw invalidRequest(`'${param}.source' must be a base64, text or content document source here (URLs and file ids are served by anthropic deployments only).`, `${param}.source`);
}

/** A user block as an OpenAI content part (tool results are handled by the caller). */
function userPart(b: AnthropicInputBlock, param: string): Part {
  if (b.type === "text") {
    if (typeof b.text !== "string") throw invalidRequest(`'${param}.text' must be a string.`, `${param}.text`);
    return { type: "text", text: b.text };
  }
  if (b.type === "image" || b.type === "document") return mediaPart(b, param);
  throw invalidRequest(`The content block type '${b.type}' at '${param}' is served by anthropic deployments only.`, param);
}

/** A tool_result block as a `tool` message, plus the images it held (sent after as a user message). */
function toolResult(b: AnthropicInputBlock, param: string): { message: ChatMessage; images: Part[] } {
  const id = str(b.tool_use_id);
  if (!id) throw invalidRequest(`'${param}.tool_use_id' is required.`, `${param}.tool_use_id`);
  const images: Part[] = [];
  let text = "";
  if (typeof b.content === "string") text = b.content;
  else if (Array.isArray(b.content)) {
    const texts: string[] = [];
    (b.content as AnthropicInputBlock[]).forEach((inner, j) => {
      const part = userPart(inner, `${param}.content[${j}]`);
      if (part.type === "text") texts.push(part.text as string);
      else images.push(part);
    });
    text = texts.join("\n\n");
  } else if (b.content != null) throw invalidRequest(`'${param}.content' must be a string or an array of blocks.`, `${param}.content`);
  return { message: { role: "tool", tool_call_id: id, content: text }, images };
}

function userMessages(m: AnthropicInputMessage, i: number): ChatMessage[] {
  if (typeof m.content === "string") return [{ role: "user", content: m.content }];
  const tools: ChatMessage[] = [];
  const images: Part[] = [];
  const parts: Part[] = [];
  m.content.forEach((b, j) => {
    const param = `messages[${i}].content[${j}]`;
    if (b.type === "tool_result") {
      const r = toolResult(b, param);
      tools.push(r.message);
      images.push(...r.images);
    } else parts.push(userPart(b, param));
  });
  const rest = [...images, ...parts];
  if (!rest.length) return tools;
  const onlyText = rest.every((p) => p.type === "text");
  return [...tools, { role: "user", content: onlyText ? rest.map((p) => p.text as string).join("\n\n") : rest }];
}

function assistantMessage(m: AnthropicInputMessage, i: number): ChatMessage | undefined {
  if (typeof m.content === "string") return { role: "assistant", content: m.content };
  const texts: string[] = [];
  const calls: NonNullable<ChatMessage["tool_calls"]> = [];
  m.content.forEach((b, j) => {
    const param = `messages[${i}].content[${j}]`;
    if (b.type === "text" && typeof b.text === "string") texts.push(b.text);
    else if (b.type === "tool_use") {
      const id = str(b.id);
      const name = str(b.name);
      if (!id || !name) throw invalidRequest(`'${param}' needs an 'id' and a 'name'.`, param);
      calls.push({ id, type: "function", function: { name, arguments: JSON.stringify(b.input ?? {}) } });
    } else if (b.type !== "thinking" && b.type !== "redacted_thinking") {
      throw invalidRequest(`The content block type '${b.type}' at '${param}' is served by anthropic deployments only.`, param);
    }
  });
  const content = texts.join("");
  if (!content && !calls.length) return undefined;
  const out: ChatMessage = { role: "assistant", content: content || null };
  if (calls.length) out.tool_calls = calls;
  return out;
}

function tools(req: MessagesRequest, dropParams: boolean): NonNullable<ChatRequest["tools"]> {
  const out: NonNullable<ChatRequest["tools"]> = [];
  (req.tools ?? []).forEach((t, i) => {
    if (t.type != null && t.type !== "custom") {
      if (dropParams) return;
      throw invalidRequest(`The tool '${t.name}' (type '${t.type}') is an Anthropic server tool, served by anthropic deployments only.`, `tools[${i}]`);
    }
    if (!t.input_schema) throw invalidRequest(`'tools[${i}].input_schema' is required.`, `tools[${i}].input_schema`);
    const fn: NonNullable<ChatRequest["tools"]>[number]["function"] = { name: t.name, parameters: t.input_schema };
    if (t.description) fn.description = t.description;
    if (typeof t.strict === "boolean") fn.strict = t.strict;
    out.push({ type: "function", function: fn });
  });
  return out;
}

type Effort = NonNullable<ChatRequest["reasoning_effort"]>;

/** thinking and output_config.effort as OpenAI's reasoning_effort (budgets as LiteLLM's 1024/2048/4096 steps). */
function reasoningEffort(req: MessagesRequest): Effort | undefined {
  const effort = req.output_config?.effort;
  if (effort === "low" || effort === "medium" || effort === "high" || effort === "xhigh") return effort;
  if (effort === "max") return "xhigh";
  const t = req.thinking;
  if (!t || t.type === "disabled") return undefined;
  if (t.type === "enabled") {
    const budget = t.budget_tokens ?? 0;
    return budget >= 4096 ? "high" : budget >= 2048 ? "medium" : "low";
  }
  return "medium"; // adaptive: the model decides; medium is OpenAI's default
}

interface TranslateOptions {
  /** Drop what has no equivalent (server tools) instead of refusing it. */
  dropParams: boolean;
}

/** The internal chat request for a Messages request. Throws a 400 naming what it cannot translate. */
export function toChatRequest(req: MessagesRequest, opts: TranslateOptions): ChatRequest {
  const messages: ChatMessage[] = [];
  if (req.system !== undefined) {
    const text = typeof req.system === "string" ? req.system : textOfBlocks(req.system, "system");
    if (text) messages.push({ role: "system", content: text });
  }
  req.messages.forEach((m, i) => {
    if (m.role === "system") {
      messages.push({ role: "system", content: typeof m.content === "string" ? m.content : textOfBlocks(m.content, `messages[${i}].content`) });
    } else if (m.role === "user") messages.push(...userMessages(m, i));
    else {
      const a = assistantMessage(m, i);
      if (a) messages.push(a);
    }
  });
  if (!messages.some((m) => m.role !== "system")) throw invalidRequest("'messages' must hold at least one user or assistant message.", "messages");

  const out: ChatRequest = { model: req.model, messages, max_tokens: req.max_tokens };
  if (req.stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (req.top_k !== undefined) (out as Json).top_k = req.top_k;
  if (req.stop_sequences?.length) out.stop = req.stop_sequences;
  const user = req.metadata?.user_id;
  if (user) out.user = user;
  const fns = tools(req, opts.dropParams);
  const choice = req.tool_choice;
  if (fns.length) {
    out.tools = fns;
    if (choice) {
      if (choice.type === "auto") out.tool_choice = "auto";
      else if (choice.type === "any") out.tool_choice = "required";
      else if (choice.type === "none") out.tool_choice = "none";
      else {
        if (!choice.name) throw invalidRequest("'tool_choice.name' is required when tool_choice.type is 'tool'.", "tool_choice.name");
        out.tool_choice = { type: "function", function: { name: choice.name } };
      }
      if (choice.disable_parallel_tool_use === true && choice.type !== "none") out.parallel_tool_calls = false;
    }
  }
  const effort = reasoningEffort(req);
  if (effort) out.reasoning_effort = effort;
  const format = req.output_config?.format;
  if (format?.type === "json_schema") {
    if (!format.schema) throw invalidRequest("'output_config.format.schema' is required.", "output_config.format.schema");
    out.response_format = { type: "json_schema", json_schema: { name: "output", schema: format.schema } };
  }
  return out;
}
