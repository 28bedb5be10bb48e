import { invalidRequest } from "../../http/errors";
import type { ChatMessage, ChatRequest } from "../../api/chat";
import type { InputItem, ResponsesRequest } from "./schema";

/**
 * A Responses request as the internal chat request (the bridge for providers without a native
 * Responses API): `instructions` -> a system message, input messages -> chat messages,
 * `function_call` items -> assistant tool_calls, `function_call_output` -> tool messages,
 * function tools (flat in Responses) -> chat tools, max_output_tokens -> max_tokens,
 * reasoning.effort -> reasoning_effort, text.format -> response_format. Reasoning items are
 * dropped; what has no chat equivalent (hosted tools, previous_response_id, file ids) is a 400.
 */

type Part = { type: string; [k: string]: unknown };
type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function part(p: Json, param: string): Part {
  switch (p.type) {
    case "input_text":
    case "output_text":
    case "text":
      if (typeof p.text !== "string") throw invalidRequest(`'${param}.text' must be a string.`, `${param}.text`);
      return { type: "text", text: p.text };
    case "refusal":
      return { type: "text", text: str(p.refusal) ?? "" };
    case "input_image": {
      const url = str(p.image_url);
      if (!url) throw invalidRequest(`'${param}' needs an 'image_url' here (file ids are not served through the chat bridge).`, param);
      return { type: "image_url", image_url: p.detail ? { url, detail: p.detail } : { url } };
    }
    case "input_file": {
      const data = str(p.file_data);
      if (!data) throw invalidRequest(`'${param}' needs 'file_data' here (file ids and URLs are not served through the chat bridge).`, param);
      return { type: "file", file: str(p.filename) ? { file_data: data, filename: p.filename } : { file_data: data } };
    }
    default:
      throw invalidRequest(`The content type '${String(p.type)}' at '${param}' is not supported through the chat bridge.`, param);
  }
}

function content(value: unknown, param: string): string | Part[] {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) throw invalidRequest(`'${param}' must be a string or an array of content parts.`, param);
  const parts = value.map((p, i) => part((p ?? {}) as Json, `${param}[${i}]`));
  return parts.every((p) => p.type === "text") ? parts.map((p) => p.text as string).join("") : parts;
}

function messages(req: ResponsesRequest): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (req.instructions) out.push({ role: "system", content: req.instructions });
  if (typeof req.input === "string") {
    out.push({ role: "user", content: req.input });
    return out;
  }
  req.input.forEach((raw: InputItem, i) => {
    const param = `input[${i}]`;
    const type = raw.type ?? "message";
    if (type === "message") {
      const role = raw.role;
      if (role !== "user" && role !== "assistant" && role !== "system" && role !== "developer") {
        throw invalidRequest(`'${param}.role' must be user, assistant, system or developer.`, `${param}.role`);
      }
      const c = content(raw.content, `${param}.content`);
      if (role === "assistant" && typeof c !== "string") throw invalidRequest(`Assistant messages may hold only text ('${param}.content').`, `${param}.content`);
      out.push({ role, content: c });
    } else if (type === "function_call") {
      const id = str(raw.call_id);
      const name = str(raw.name);
      if (!id || !name) throw invalidRequest(`'${param}' needs a 'call_id' and a 'name'.`, param);
      const call = { id, type: "function", function: { name, arguments: str(raw.arguments) ?? "{}" } };
      const last = out.at(-1);
      if (last?.role === "assistant") last.tool_calls = [...(last.tool_calls ?? []), call];
      else out.push({ role: "assistant", content: null, tool_calls: [call] });
    } else if (type === "function_call_output") {
      const id = str(raw.call_id);
      if (!id) throw invalidRequest(`'${param}.call_id' is required.`, `${param}.call_id`);
      const output = typeof raw.output === "string" ? raw.output : content(raw.output ?? "", `${param}.output`);
      out.push({ role: "tool", tool_call_id: id, content: typeof output === "string" ? output : output.map((p) => String(p.text ?? "")).join("") });
    } else if (type !== "reasoning") {
      throw invalidRequest(`The input item type '${type}' at '${param}' is not supported through the chat bridge.`, `${param}.type`);
    }
  });
  return out;
}

function tools(req: ResponsesRequest, dropParams: boolean): NonNullable<ChatRequest["tools"]> {
  const out: NonNullable<ChatRequest["tools"]> = [];
  (req.tools ?? []).forEach((t, i) => {
    if (t.type !== "function") {
      if (dropParams) return;
      throw invalidRequest(`The tool type '${t.type}' at 'tools[${i}]' is a hosted tool, not served through the chat bridge; use function tools.`, `tools[${i}].type`);
    }
    if (!t.name) throw invalidRequest(`'tools[${i}].name' is required.`, `tools[${i}].name`);
    const fn: NonNullable<ChatRequest["tools"]>[number]["function"] = { name: t.name, parameters: t.parameters ?? { type: "object", properties: {} } };
    if (t.description) fn.description = t.description;
    if (typeof t.strict === "boolean") fn.strict = t.strict;
    out.push({ type: "function", function: fn });
  });
  return out;
}

export function toChatRequest(req: ResponsesRequest, opts: { dropParams: boolean }): ChatRequest {
  if (req.previous_response_id) {
    throw invalidRequest("'previous_response_id' needs stored responses, which the gateway does not keep for this model; send the whole conversation in 'input'.", "previous_response_id");
  }
  const msgs = messages(req);
  if (!msgs.some((m) => m.role !== "system" && m.role !== "developer")) throw invalidRequest("'input' must hold at least one message.", "input");
  const out: ChatRequest = { model: req.model, messages: msgs };
  if (req.stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  if (req.max_output_tokens != null) out.max_tokens = req.max_output_tokens;
  if (req.temperature != null) out.temperature = req.temperature;
  if (req.top_p != null) out.top_p = req.top_p;
  if (req.user) out.user = req.user;
  if (req.reasoning?.effort) out.reasoning_effort = req.reasoning.effort;
  const fns = tools(req, opts.dropParams);
  if (fns.length) {
    out.tools = fns;
    const choice = req.tool_choice;
    if (typeof choice === "string") out.tool_choice = choice;
    else if (choice) {
      if (choice.type !== "function" || !choice.name) throw invalidRequest("'tool_choice' must be none, auto, required or {type: \"function\", name}.", "tool_choice");
      out.tool_choice = { type: "function", function: { name: choice.name } };
    }
    if (req.parallel_tool_calls != null) out.parallel_tool_calls = req.parallel_tool_calls;
  }
  const format = req.text?.format;
  if (format?.type === "json_object") out.response_format = { type: "json_object" };
  else if (format?.type === "json_schema") {
    if (!format.schema) throw invalidRequest("'text.format.schema' is required.", "text.format.schema");
    out.response_format = { type: "json_schema", json_schema: { name: format.name ?? "output", schema: format.schema, strict: format.strict ?? null } };
  }
  return out;
}
