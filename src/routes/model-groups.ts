import type { Context } from "hono";
import { chatRequestSchema } from "../api/chat";
import type { AppEnv } from "../app-env";
import type { Deployment } from "../config/deployment";
import { forbidden, modelNotFound } from "../http/errors";
import { modelAllowed } from "../limits/guard-state";
import { modelMode } from "../providers/mode";
import { providerFor } from "../providers/registry";
import { priceTableEntry } from "../spend/pricing";
import { callerModelLists } from "./models";

/** The gateway's own request fields: never listed as OpenAI parameters. */
const GATEWAY_FIELDS = new Set(["model", "messages", "metadata", "drop_params", "fallbacks", "num_retries"]);
const CHAT_PARAMS = Object.keys(chatRequestSchema.shape).filter((k) => !GATEWAY_FIELDS.has(k));
const EMBEDDING_PARAMS = ["encoding_format", "dimensions", "user"];
const MODE_PARAMS: Record<string, readonly string[]> = { embedding: EMBEDDING_PARAMS, rerank: ["query", "documents", "top_n", "return_documents", "max_tokens_per_doc"], moderation: ["input"] };

const SUPPORTS = ["supports_parallel_function_calling", "supports_vision", "supports_web_search", "supports_url_context", "supports_reasoning", "supports_function_calling"] as const;

/** LiteLLM's ModelGroupInfo. */
type GroupInfo = Record<string, unknown> & { model_group: string; providers: string[]; supported_openai_params: string[] };

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const larger = (a: unknown, b: number | null): number | null => (b === null ? num(a) : num(a) === null ? b : Math.max(num(a)!, b));
const sum = (a: unknown, b: number | undefined): number | null => (b === undefined ? num(a) : (num(a) ?? 0) + b);

function paramsOf(dep: Deployment, mode: string): string[] {
  if (mode === "chat" || mode === "completion" || mode === "responses") {
    const refused = new Set(providerFor(dep.provider)?.unsupportedParams ?? []);
    return CHAT_PARAMS.filter((p) => !refused.has(p));
  }
  const refused = new Set(mode === "rerank" ? (providerFor(dep.provider)?.rerank?.unsupported ?? []) : []);
  return (MODE_PARAMS[mode] ?? []).filter((p) => !refused.has(p));
}

/** One group, merged over its deployments the way LiteLLM does: the larger limits and prices, summed rpm/tpm, any support, every parameter. */
function groupInfo(name: string, deps: readonly Deployment[]): GroupInfo {
  const out: GroupInfo = {
    model_group: name,
    providers: [],
    max_input_tokens: null,
    max_output_tokens: null,
    input_cost_per_token: null,
    output_cost_per_token: null,
    input_cost_per_pixel: null,
    mode: null,
    tpm: null,
    rpm: null,
    itpm: null,
    otpm: null,
    ...Object.fromEntries(SUPPORTS.map((s) => [s, false])),
    supported_reasoning_efforts: null,
    supported_openai_params: [],
    configurable_clientside_auth_params: null,
  };
  for (const dep of deps) {
    const info = dep.info ?? {};
    const table = dep.model.includes("*") ? null : priceTableEntry(dep);
    const mode = modelMode(dep);
    if (!out.providers.includes(dep.provider)) out.providers.push(dep.provider);
    out.mode ??= mode;
    out.max_input_tokens = larger(out.max_input_tokens, num(info.max_input_tokens) ?? table?.contextWindow ?? null);
    out.max_output_tokens = larger(out.max_output_tokens, num(info.max_output_tokens) ?? num(info.max_tokens));
    out.input_cost_per_token = larger(out.input_cost_per_token, dep.costs.input ?? num(info.input_cost_per_token) ?? table?.inputPerToken ?? null);
    out.output_cost_per_token = larger(out.output_cost_per_token, dep.costs.output ?? num(info.output_cost_per_token) ?? table?.outputPerToken ?? null);
    out.tpm = sum(out.tpm, dep.tpm);
    out.rpm = sum(out.rpm, dep.rpm);
    for (const s of SUPPORTS) if (info[s] === true) out[s] = true;
    if (Array.isArray(info.supported_reasoning_efforts)) out.supported_reasoning_efforts = info.supported_reasoning_efforts.filter((e) => typeof e === "string");
    for (const p of paramsOf(dep, mode)) if (!out.supported_openai_params.includes(p)) out.supported_openai_params.push(p);
  }
  out.mode ??= "chat";
  return out;
}

/**
 * GET /model_group/info (any valid key): LiteLLM's `{data: [ModelGroupInfo...]}` for the groups the
 * caller may use (its key's, team's and user's model lists), from the config's model_info and
 * prices, else the price table. `?model_group=` answers one group (404 unknown, 403 not the caller's).
 */
export async function modelGroupInfo(c: Context<AppEnv>): Promise<Response> {
  const config = c.get("config");
  const lists = await callerModelLists(c);
  const may = (name: string) => lists.every((list) => modelAllowed(list, name));
  const wanted = c.req.query("model_group");
  if (wanted !== undefined) {
    const deps = config.groups.get(wanted);
    if (!deps) throw modelNotFound(wanted);
    if (!may(wanted)) throw forbidden(`This key may not use the model group '${wanted}'.`, "key_model_access_denied");
    return c.json({ data: [groupInfo(wanted, deps)] });
  }
  const data = [...config.groups].filter(([name]) => may(name)).map(([name, deps]) => groupInfo(name, deps));
  return c.json({ data });
}
