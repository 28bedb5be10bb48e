import { invalidRequest } from "../../http/errors";
import type { ChatRequest } from "../../api/chat";
import { ImageBudget } from "../shared/images";
import { maxTokensOf, refuseUnsupported, stopList } from "../shared/params";
import type { AdapterContext } from "../types";
import { convertMessages } from "./messages";
import { geminiSchema, responseJsonSchema, SchemaTooLarge } from "./schema";
import { thinkingConfig } from "./thinking";
import type { FunctionDeclaration, GenerateContentRequest, GenerationConfig, Json } from "./types";

/** OpenAI parameters generateContent has no equivalent for: a 400 naming them unless drop_params. */
export const UNSUPPORTED = [
  "logprobs",
  "top_logprobs",
  "logit_bias",
  "audio",
  "prediction",
  "web_search_options",
  "functions",
  "function_call",
  "service_tier",
  "store",
  "verbosity",
  "prompt_cache_key",
  "safety_identifier",
] as const;

/** Models before 2.5 take only the OpenAPI-subset `responseSchema`; later ones JSON Schema itself (`responseJsonSchema`). */
const takesJsonSchema = (model: string): boolean => !/gemini-(1\.|2\.0)/.test(model);

function refuseParams(req: ChatRequest, ctx: AdapterContext): void {
  const r = req as Json;
  const textOnly = Array.isArray(r.modalities) && r.modalities.every((m) => m === "text");
  refuseUnsupported(req, ctx, "gemini", textOnly ? UNSUPPORTED : [...UNSUPPORTED, "modalities"]);
  if (ctx.dropParams) return;
  if (req.parallel_tool_calls === false && req.tools?.length) {
    throw invalidRequest(
      "The parameter 'parallel_tool_calls: false' is not supported by gemini (it cannot be told to call one function at a time). Remove it, or set drop_params: true to drop it.",
      "parallel_tool_calls",
    );
  }
  if (req.stream && req.n != null && req.n > 1) {
    throw invalidRequest("'n' above 1 is not supported with 'stream' for gemini. Ask without streaming, or set drop_params: true to get one choice.", "n");
  }
}

/** geminiSchema, with a schema too large to expand answered as a 400 naming `param` (and the tool, when it is one). */
function boundedSchema(schema: unknown, param: string, what: string) {
  try {
    return geminiSchema(schema);
  } catch (e) {
    if (e instanceof SchemaTooLarge) throw invalidRequest(`${what}: ${e.message}. Reuse fewer definitions, or flatten the schema.`, param);
    throw e;
  }
}

/** OpenAI function tools as one Gemini tool of functionDeclarations, their schemas cut down to what Gemini accepts. */
function functionDeclarations(req: ChatRequest): FunctionDeclaration[] {
  return (req.tools ?? []).map((tool, i) => {
    const fn = tool.function;
    const out: FunctionDeclaration = { name: fn.name };
    if (fn.description) out.description = fn.description;
    const params = fn.parameters ? boundedSchema(fn.parameters, `tools[${i}].function.parameters`, `The parameters of tool '${fn.name}'`) : undefined;
    // A function without parameters has none (Gemini refuses an OBJECT with no properties).
    if (params && (params.properties || params.type !== "object")) out.parameters = params;
    return out;
  });
}

/** tool_choice as functionCallingConfig: auto -> AUTO, none -> NONE, required -> ANY, a named function -> ANY limited to it. */
function toolConfig(req: ChatRequest, declared: readonly FunctionDeclaration[]): GenerateContentRequest["toolConfig"] {
  const tc = req.tool_choice;
  if (declared.length === 0) {
    if (tc === "required" || (tc && typeof tc === "object")) throw invalidRequest("'tool_choice' asks for a tool call, but the request has no 'tools'.", "tool_choice");
    return undefined;
  }
  if (tc === "none") return { functionCallingConfig: { mode: "NONE" } };
  if (tc === "auto") return { functionCallingConfig: { mode: "AUTO" } };
  if (tc === "required") return { functionCallingConfig: { mode: "ANY" } };
  if (tc && typeof tc === "object") {
    const name = tc.function.name;
    if (!declared.some((d) => d.name === name)) {
      throw invalidRequest(`'tool_choice.function.name' names '${name}', which is not one of the request's tools.`, "tool_choice.function.name");
    }
    return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [name] } };
  }
  return undefined;
}

/** response_format: JSON output, constrained by the schema when one is given. */
function applyResponseFormat(config: GenerationConfig, req: ChatRequest, model: string): void {
  const rf = req.response_format;
  if (!rf || rf.type === "text") return;
  config.responseMimeType = "application/json";
  if (rf.type !== "json_schema") return;
  const schema = rf.json_schema?.schema;
  if (!schema) throw invalidRequest("'response_format.json_schema.schema' is required for gemini.", "response_format.json_schema.schema");
  if (takesJsonSchema(model)) config.responseJsonSchema = responseJsonSchema(schema);
  else config.responseSchema = boundedSchema(schema, "response_format.json_schema.schema", "'response_format.json_schema.schema'");
}

function generationConfig(req: ChatRequest, model: string, ctx: AdapterContext): GenerationConfig | undefined {
  const r = req as Json;
  const config: GenerationConfig = {};
  if (req.temperature != null) config.temperature = req.temperature;
  if (req.top_p != null) config.topP = req.top_p;
  if (typeof r.top_k === "number") config.topK = r.top_k;
  const max = maxTokensOf(req);
  if (max !== undefined) config.maxOutputTokens = max;
  const stop = stopList(req);
  if (stop?.length) config.stopSequences = stop;
  if (req.n != null && req.n > 1 && !req.stream) config.candidateCount = req.n;
  if (req.seed != null) config.seed = req.seed;
  if (req.presence_penalty != null) config.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty != null) config.frequencyPenalty = req.frequency_penalty;
  applyResponseFormat(config, req, model);
  const thinking = thinkingConfig(req, model, ctx);
  if (thinking) config.thinkingConfig = thinking;
  return Object.keys(config).length ? config : undefined;
}

/** The generateContent body for an OpenAI chat request. Throws a 400 naming the param for what it cannot honour. */
export async function geminiBody(req: ChatRequest, model: string, ctx: AdapterContext, media: { gcsBuckets?: ReadonlySet<string> } = {}): Promise<GenerateContentRequest> {
  refuseParams(req, ctx);
  const declared = functionDeclarations(req);
  const choice = toolConfig(req, declared);
  const config = generationConfig(req, model, ctx);
  const policy = { budget: new ImageBudget(ctx.imageLimits), gcsBuckets: media.gcsBuckets ?? new Set<string>() };
  const { systemInstruction, contents } = await convertMessages(req.messages, model, policy);
  const body: GenerateContentRequest = { contents };
  if (systemInstruction) body.systemInstruction = systemInstruction;
  if (declared.length) body.tools = [{ functionDeclarations: declared }];
  if (choice) body.toolConfig = choice;
  if (config) body.generationConfig = config;
  return body;
}
