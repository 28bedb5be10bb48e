import { invalidRequest } from "../../http/errors";
import type { ChatRequest } from "../../api/chat";
import { cacheControlOf } from "./content";
import { hasStructuredOutputs } from "./models";
import { JSON_TOOL_NAME, type AnthropicTool, type AnthropicToolChoice } from "./types";

/**
 * OpenAI function tools as Anthropic tools ({name, description, input_schema}); `strict` is
 * sent where the model has strict tool use (Claude 4.5 on) and otherwise left out (it is a
 * guarantee older models cannot give, and refusing it would break every client that sets it).
 */
export function mapTools(req: ChatRequest, model: string): AnthropicTool[] {
  const strictOk = hasStructuredOutputs(model);
  return (req.tools ?? []).map((tool, i) => {
    const fn = tool.function;
    if (fn.name === JSON_TOOL_NAME) {
      throw invalidRequest(`The tool name '${JSON_TOOL_NAME}' at 'tools[${i}].function.name' is reserved by the gateway (it carries response_format for anthropic).`, `tools[${i}].function.name`);
    }
    const out: AnthropicTool = { name: fn.name, input_schema: fn.parameters ?? { type: "object", properties: {} } };
    if (fn.description) out.description = fn.description;
    if (strictOk && (fn as { strict?: unknown }).strict === true) out.strict = true;
    const cc = cacheControlOf(tool) ?? cacheControlOf(fn);
    if (cc) out.cache_control = cc;
    return out;
  });
}

/**
 * OpenAI's tool_choice and parallel_tool_calls as Anthropic's tool_choice: auto -> auto,
 * none -> none, required -> any, a named function -> {type: "tool", name};
 * parallel_tool_calls: false -> disable_parallel_tool_use.
 */
export function mapToolChoice(req: ChatRequest, tools: readonly AnthropicTool[]): AnthropicToolChoice | undefined {
  const tc = req.tool_choice;
  if (tools.length === 0) {
    if (tc === "required" || (tc && typeof tc === "object")) {
      throw invalidRequest("'tool_choice' asks for a tool call, but the request has no 'tools'.", "tool_choice");
    }
    return undefined;
  }
  let choice: AnthropicToolChoice | undefined;
  if (tc === "none") choice = { type: "none" };
  else if (tc === "auto") choice = { type: "auto" };
  else if (tc === "required") choice = { type: "any" };
  else if (tc && typeof tc === "object") {
    const name = tc.function.name;
    if (!tools.some((t) => t.name === name)) {
      throw invalidRequest(`'tool_choice.function.name' names '${name}', which is not one of the request's tools.`, "tool_choice.function.name");
    }
    choice = { type: "tool", name };
  }
  if (req.parallel_tool_calls === false && choice?.type !== "none") {
    choice = { ...(choice ?? { type: "auto" }), disable_parallel_tool_use: true } as AnthropicToolChoice;
  }
  return choice;
}
