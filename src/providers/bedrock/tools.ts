import { invalidRequest } from "../../http/errors";
import type { ChatRequest } from "../../api/chat";
import { JSON_TOOL_NAME, type ToolChoice, type ToolSpec } from "./types";

/** OpenAI function tools as Converse tool specs ({toolSpec: {name, description, inputSchema: {json}}}). */
export function mapTools(req: ChatRequest): ToolSpec[] {
  return (req.tools ?? []).map((tool, i) => {
    const fn = tool.function;
    if (fn.name === JSON_TOOL_NAME) {
      throw invalidRequest(`The tool name '${JSON_TOOL_NAME}' at 'tools[${i}].function.name' is reserved by the gateway (it carries response_format for bedrock).`, `tools[${i}].function.name`);
    }
    const spec: ToolSpec["toolSpec"] = { name: fn.name, inputSchema: { json: fn.parameters ?? { type: "object", properties: {} } } };
    if (fn.description) spec.description = fn.description;
    return { toolSpec: spec };
  });
}

/**
 * OpenAI's tool_choice as Converse's: auto -> {auto}, required -> {any}, a named function ->
 * {tool: {name}}. ("none" is served by sending no tools at all: Converse has no such choice.)
 */
export function mapToolChoice(req: ChatRequest, tools: readonly ToolSpec[]): ToolChoice | undefined {
  const tc = req.tool_choice;
  if (tools.length === 0) {
    if (tc === "required" || (tc && typeof tc === "object")) {
      throw invalidRequest("'tool_choice' asks for a tool call, but the request has no 'tools'.", "tool_choice");
    }
    return undefined;
  }
  if (tc === "auto") return { auto: {} };
  if (tc === "required") return { any: {} };
  if (tc && typeof tc === "object") {
    const name = tc.function.name;
    if (!tools.some((t) => t.toolSpec.name === name)) {
      throw invalidRequest(`'tool_choice.function.name' names '${name}', which is not one of the request's tools.`, "tool_choice.function.name");
    }
    return { tool: { name } };
  }
  return undefined;
}
