import { modelSegment } from "../shared/url";
import type { Deployment } from "../../config/deployment";
import { invalidRequest } from "../../http/errors";
import type { ChatRequest } from "../../api/chat";
import { maxTokensOf, NOT_IN_MESSAGES_APIS, refuseUnsupported, stopList } from "../shared/params";
import { ImageBudget } from "../shared/images";
import type { AdapterContext } from "../types";
import { convertMessages } from "./messages";
import { baseModel, hasStructuredOutputs, isAnthropic, modelId, modelName, reasoningStyle } from "./models";
import { credentialsOf, regionOf, signedPost } from "./sign";
import { mapToolChoice, mapTools } from "./tools";
import { JSON_TOOL_NAME, type ConverseBody } from "./types";

/** OpenAI parameters Converse has no equivalent for: a 400 naming them unless drop_params. */
export const UNSUPPORTED = NOT_IN_MESSAGES_APIS;

type Json = Record<string, unknown>;
type Effort = "minimal" | "low" | "medium" | "high" | "xhigh";

/** Thinking budgets for Claude 3.7-4.5 (LiteLLM's low/medium/high), and the smallest one Anthropic takes. */
const THINKING_BUDGET: Readonly<Record<Effort, number>> = { minimal: 1024, low: 1024, medium: 2048, high: 4096, xhigh: 8192 };
const MIN_THINKING_BUDGET = 1024;
/** Room for the answer on top of the thinking budget when the client set no max tokens. */
const ANSWER_TOKENS = 4096;

/** The runtime's base URL: api_base (LiteLLM's meaning: the host root), else the region's endpoint. */
export function runtimeBase(dep: Deployment): string {
  const endpoint = dep.params.aws_bedrock_runtime_endpoint;
  const base = dep.apiBase ?? (typeof endpoint === "string" && endpoint ? endpoint : `https://bedrock-runtime.${regionOf(dep)}.amazonaws.com`);
  return base.replace(/\/+$/, "");
}

/** `{base}/model/{modelId}/converse[-stream]`, the id percent-encoded whole (`:` and an ARN's `/` included). */
export function converseUrl(dep: Deployment, stream: boolean): string {
  return `${runtimeBase(dep)}/model/${modelSegment(modelId(dep))}/${stream ? "converse-stream" : "converse"}`;
}

function refuseParams(req: ChatRequest, ctx: AdapterContext): void {
  const modalities = (req as Json).modalities;
  const textOnly = Array.isArray(modalities) && modalities.every((m) => m === "text");
  refuseUnsupported(req, ctx, "bedrock", textOnly ? UNSUPPORTED : [...UNSUPPORTED, "modalities"]);
  if (req.parallel_tool_calls === false && req.tools?.length && !ctx.dropParams) {
    throw invalidRequest(
      "The parameter 'parallel_tool_calls' (false) is not supported by bedrock's Converse API. Remove it, or set drop_params: true (in the request or in litellm_settings) to drop it.",
      "parallel_tool_calls",
    );
  }
}

const effortOf = (req: ChatRequest): Effort | undefined => (req.reasoning_effort && req.reasoning_effort !== "none" ? (req.reasoning_effort as Effort) : undefined);

/**
 * reasoning_effort (or Anthropic's own `thinking` object) as additionalModelRequestFields: a
 * thinking budget for Claude 3.7-4.5 (kept below max tokens), adaptive thinking with an effort
 * for Claude 4.6 on, `reasoningConfig` for Nova 2, `reasoning_effort` for OpenAI's models.
 * Returns whether Anthropic thinking is on (it cannot be combined with a forced tool).
 */
function applyReasoning(body: ConverseBody, req: ChatRequest, ctx: AdapterContext, base: string): boolean {
  const extra: Json = { ...body.additionalModelRequestFields };
  const own = (req as Json).thinking;
  const effort = effortOf(req);
  const clientMax = maxTokensOf(req);
  const maxParam = req.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens";
  let thinking = false;
  if (own && typeof own === "object" && !Array.isArray(own) && isAnthropic(base)) {
    extra.thinking = own;
    thinking = (own as Json).type !== "disabled";
    const budget = (own as Json).budget_tokens;
    if (clientMax === undefined && typeof budget === "number") body.inferenceConfig = { ...body.inferenceConfig, maxTokens: budget + ANSWER_TOKENS };
  } else if (effort) {
    const style = reasoningStyle(base);
    if (style === "anthropic-budget") {
      let budget = THINKING_BUDGET[effort];
      if (clientMax !== undefined) {
        if (clientMax <= MIN_THINKING_BUDGET) {
          throw invalidRequest(
            `'${maxParam}' must be above ${MIN_THINKING_BUDGET} to use 'reasoning_effort' with this bedrock model (thinking needs at least ${MIN_THINKING_BUDGET} tokens of it).`,
            maxParam,
          );
        }
        budget = Math.min(budget, clientMax - 1);
      } else body.inferenceConfig = { ...body.inferenceConfig, maxTokens: budget + ANSWER_TOKENS };
      extra.thinking = { type: "enabled", budget_tokens: budget };
      thinking = true;
    } else if (style === "anthropic-adaptive") {
      extra.thinking = { type: "adaptive" };
      extra.output_config = { effort: effort === "minimal" ? "low" : effort === "xhigh" ? "max" : effort };
      thinking = true;
    } else if (style === "nova") {
      extra.reasoningConfig = { type: "enabled", maxReasoningEffort: effort === "minimal" ? "low" : effort === "xhigh" ? "high" : effort };
    } else if (style === "openai") {
      extra.reasoning_effort = effort === "minimal" ? "low" : effort === "xhigh" ? "high" : effort;
    } else if (!ctx.dropParams) {
      throw invalidRequest(
        `The parameter 'reasoning_effort' is not supported by bedrock model '${base}'. Remove it, or set drop_params: true (in the request or in litellm_settings) to drop it.`,
        "reasoning_effort",
      );
    }
  }
  if (Object.keys(extra).length) body.additionalModelRequestFields = extra;
  return thinking;
}

/**
 * response_format: json_schema through Converse structured outputs (`outputConfig.textFormat`)
 * on the models that have them; otherwise, and for json_object, a forced tool whose input is the
 * answer (LiteLLM's technique), which cannot be combined with other tools or with thinking.
 */
function applyResponseFormat(body: ConverseBody, req: ChatRequest, base: string, thinking: boolean): void {
  const rf = req.response_format;
  if (!rf || rf.type === "text") return;
  const schema = rf.json_schema?.schema;
  if (rf.type === "json_schema" && !schema) {
    throw invalidRequest("'response_format.json_schema.schema' is required for bedrock.", "response_format.json_schema.schema");
  }
  if (rf.type === "json_schema" && hasStructuredOutputs(base)) {
    const def: { schema: string; name?: string; description?: string } = { schema: JSON.stringify(schema) };
    if (rf.json_schema?.name) def.name = rf.json_schema.name;
    const description = (rf.json_schema as Json | undefined)?.description;
    if (typeof description === "string" && description) def.description = description;
    body.outputConfig = { textFormat: { type: "json_schema", structure: { jsonSchema: def } } };
    return;
  }
  const why = rf.type === "json_object" ? "json_object is emulated with a forced tool on bedrock" : `model '${base}' has no structured outputs, so json_schema is emulated with a forced tool`;
  if (body.toolConfig) throw invalidRequest(`'response_format' ${rf.type} cannot be combined with 'tools' here: ${why}.`, "response_format");
  if (thinking) throw invalidRequest(`'response_format' ${rf.type} cannot be combined with reasoning here: ${why}, and a tool cannot be forced while the model thinks.`, "response_format");
  body.toolConfig = {
    tools: [{ toolSpec: { name: JSON_TOOL_NAME, description: "Respond with a JSON object that matches this input schema.", inputSchema: { json: schema ?? { type: "object" } } } }],
    toolChoice: { tool: { name: JSON_TOOL_NAME } },
  };
}

/** The Converse body for an OpenAI chat request. Throws a 400 naming the param for what it cannot honour. */
export async function converseBody(req: ChatRequest, dep: Deployment, ctx: AdapterContext): Promise<ConverseBody> {
  refuseParams(req, ctx);
  const base = baseModel(modelName(dep));
  const body: ConverseBody = { messages: [] };
  const tools = req.tool_choice === "none" ? [] : mapTools(req);
  const choice = mapToolChoice(req, tools);
  if (tools.length) body.toolConfig = choice ? { tools, toolChoice: choice } : { tools };
  const inference: NonNullable<ConverseBody["inferenceConfig"]> = {};
  const max = maxTokensOf(req);
  if (max !== undefined) inference.maxTokens = max;
  if (req.temperature != null) inference.temperature = req.temperature;
  if (req.top_p != null) inference.topP = req.top_p;
  const stop = stopList(req)?.filter((s) => s.length > 0);
  if (stop?.length) inference.stopSequences = stop;
  if (Object.keys(inference).length) body.inferenceConfig = inference;
  const thinking = applyReasoning(body, req, ctx, base);
  applyResponseFormat(body, req, base, thinking);
  const { system, messages } = await convertMessages(req.messages, !!body.toolConfig, new ImageBudget(ctx.imageLimits));
  body.messages = messages;
  if (system.length) body.system = system;
  return body;
}

export async function converseRequest(req: ChatRequest, dep: Deployment, ctx: AdapterContext): Promise<Request> {
  credentialsOf(dep); // a deployment without credentials is a config error before anything else
  const url = converseUrl(dep, !!req.stream);
  const body = await converseBody(req, dep, ctx);
  return signedPost(url, JSON.stringify(body), dep);
}
