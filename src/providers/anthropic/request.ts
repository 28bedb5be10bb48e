import type { Deployment } from "../../config/deployment";
import { invalidRequest } from "../../http/errors";
import type { ChatRequest } from "../../api/chat";
import { maxTokensOf, NOT_IN_MESSAGES_APIS, refuseUnsupported, stopList } from "../shared/params";
import type { AdapterContext } from "../types";
import { convertMessages } from "./messages";
import { defaultMaxTokens, effortLevel, hasStructuredOutputs, MIN_THINKING_BUDGET, THINKING_BUDGET, thinkingMode, type Effort } from "./models";
import { structuredSchema } from "./schema";
import { mapToolChoice, mapTools } from "./tools";
import { JSON_TOOL_NAME, type AnthropicBody } from "./types";

const ANTHROPIC_BASE = "https://api.anthropic.com";
export const ANTHROPIC_VERSION = "2023-06-01";

/** OpenAI parameters the Messages API has no equivalent for: a 400 naming them unless drop_params. */
export const UNSUPPORTED = NOT_IN_MESSAGES_APIS;

type Json = Record<string, unknown>;

/** `{api_base}/v1/messages` (LiteLLM's meaning: the host root; a base that already ends in /v1/messages is used as it is). */
export function messagesUrl(dep: Deployment): string {
  const base = (dep.apiBase ?? ANTHROPIC_BASE).replace(/\/+$/, "");
  return base.endsWith("/v1/messages") ? base : `${base}/v1/messages`;
}

function refuseParams(req: ChatRequest, ctx: AdapterContext): void {
  const modalities = (req as Json).modalities;
  const textOnly = Array.isArray(modalities) && modalities.every((m) => m === "text");
  refuseUnsupported(req, ctx, "anthropic", textOnly ? UNSUPPORTED : [...UNSUPPORTED, "modalities"]);
  if (req.temperature != null && req.temperature > 1) {
    throw invalidRequest(`anthropic takes 'temperature' from 0 to 1 (got ${req.temperature}).`, "temperature");
  }
}

/**
 * reasoning_effort as thinking: manual budgets (1024/2048/4096, LiteLLM's values) on Claude
 * 3.7-4.5, kept below max_tokens; adaptive thinking with `output_config.effort` from 4.6 on.
 * A `thinking` object in the request (Anthropic's own parameter) is sent as given.
 */
function applyThinking(body: AnthropicBody, req: ChatRequest, ctx: AdapterContext): number {
  const clientMax = maxTokensOf(req);
  const maxParam = req.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens";
  const own = (req as Json).thinking;
  let extra = 0;
  if (own && typeof own === "object" && !Array.isArray(own)) {
    body.thinking = own as Json;
    const budget = (own as Json).budget_tokens;
    if (typeof budget === "number") extra = budget;
  } else if (req.reasoning_effort && req.reasoning_effort !== "none") {
    const effort = req.reasoning_effort as Effort;
    const mode = thinkingMode(body.model);
    if (mode === "none") {
      if (!ctx.dropParams) {
        throw invalidRequest(
          `The parameter 'reasoning_effort' is not supported by anthropic model '${body.model}' (no extended thinking). Remove it, or set drop_params: true to drop it.`,
          "reasoning_effort",
        );
      }
    } else if (mode === "adaptive") {
      body.thinking = { type: "adaptive" };
      body.output_config = { ...body.output_config, effort: effortLevel(effort, body.model) };
      extra = 8192;
    } else {
      let budget = THINKING_BUDGET[effort];
      if (clientMax !== undefined) {
        if (clientMax <= MIN_THINKING_BUDGET) {
          throw invalidRequest(`'${maxParam}' must be above ${MIN_THINKING_BUDGET} to use 'reasoning_effort' with anthropic (thinking needs at least ${MIN_THINKING_BUDGET} tokens of it).`, maxParam);
        }
        budget = Math.min(budget, clientMax - 1);
      }
      body.thinking = { type: "enabled", budget_tokens: budget };
      extra = budget;
    }
  }
  return clientMax ?? defaultMaxTokens(body.model) + extra;
}

/**
 * response_format: json_schema through structured outputs (`output_config.format`) on models
 * that have them (Claude 4.5 on); otherwise, and for json_object (which has no native form), a
 * forced tool whose input is the answer (Anthropic's documented JSON-mode technique), which
 * cannot be combined with other tools or with thinking.
 */
function applyResponseFormat(body: AnthropicBody, req: ChatRequest): void {
  const rf = req.response_format;
  if (!rf || rf.type === "text") return;
  const schema = rf.json_schema?.schema;
  if (rf.type === "json_schema" && !schema) {
    throw invalidRequest("'response_format.json_schema.schema' is required for anthropic.", "response_format.json_schema.schema");
  }
  if (rf.type === "json_schema" && hasStructuredOutputs(body.model)) {
    body.output_config = { ...body.output_config, format: { type: "json_schema", schema: structuredSchema(schema) as Json } };
    return;
  }
  const why = rf.type === "json_object" ? "json_object is emulated with a forced tool on anthropic" : `model '${body.model}' has no structured outputs, so json_schema is emulated with a forced tool`;
  if (body.tools?.length) throw invalidRequest(`'response_format' ${rf.type} cannot be combined with 'tools' here: ${why}.`, "response_format");
  if (body.thinking) throw invalidRequest(`'response_format' ${rf.type} cannot be combined with thinking here: ${why}, and Anthropic does not force tools while thinking.`, "response_format");
  body.tools = [
    {
      name: JSON_TOOL_NAME,
      description: "Respond with a JSON object that matches this input schema.",
      input_schema: schema ?? { type: "object", additionalProperties: true },
    },
  ];
  body.tool_choice = { type: "tool", name: JSON_TOOL_NAME };
}

/** The Messages API body for an OpenAI chat request. Throws a 400 naming the param for what it cannot honour. */
export function anthropicBody(req: ChatRequest, dep: Deployment, ctx: AdapterContext): AnthropicBody {
  refuseParams(req, ctx);
  const { system, messages } = convertMessages(req.messages);
  const body: AnthropicBody = { model: dep.model, max_tokens: 0, messages };
  if (system.length) body.system = system;
  const tools = mapTools(req, dep.model);
  if (tools.length) body.tools = tools;
  const choice = mapToolChoice(req, tools);
  if (choice) body.tool_choice = choice;
  body.max_tokens = applyThinking(body, req, ctx);
  applyResponseFormat(body, req);
  const stop = stopList(req);
  if (stop?.length) body.stop_sequences = stop;
  if (req.temperature != null) body.temperature = req.temperature;
  if (req.top_p != null) body.top_p = req.top_p;
  const topK = (req as Json).top_k;
  if (typeof topK === "number") body.top_k = topK;
  if (req.user) body.metadata = { user_id: req.user };
  if (req.stream) body.stream = true;
  return body;
}

export function anthropicRequest(req: ChatRequest, dep: Deployment, ctx: AdapterContext): Request {
  const headers = new Headers({ "content-type": "application/json", "anthropic-version": ANTHROPIC_VERSION });
  if (dep.apiKey) headers.set("x-api-key", dep.apiKey);
  return new Request(messagesUrl(dep), { method: "POST", headers, body: JSON.stringify(anthropicBody(req, dep, ctx)) });
}
