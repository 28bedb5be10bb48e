import type { Deployment } from "../../config/deployment";
import { configError } from "../../http/errors";

/**
 * What the adapter needs to know about a Bedrock model, read from its id. The id in the URL is
 * `litellm_params.model_id` when set (a provisioned-throughput or application-inference-profile
 * ARN, LiteLLM's convention) and otherwise the model after `bedrock/` (a `converse/` route prefix,
 * LiteLLM's, is dropped); the family is read from the model name.
 */

/** Cross-region inference profile prefixes (us.anthropic..., global.anthropic..., ...). */
const REGION_PREFIX = /^(?:us|eu|apac|au|ca|jp|global|us-gov)\./;

/** The model name with LiteLLM's `converse/` route prefix dropped; its `invoke/` route is not served. */
export function modelName(dep: Deployment): string {
  if (dep.model.startsWith("invoke/")) {
    throw configError(`Deployment '${dep.id}': bedrock/invoke/ models are not served by this gateway; use bedrock/${dep.model.slice(7)} (the Converse API).`);
  }
  return dep.model.startsWith("converse/") ? dep.model.slice("converse/".length) : dep.model;
}

/** The model id the URL names. */
export function modelId(dep: Deployment): string {
  const id = dep.params.model_id;
  return typeof id === "string" && id ? id : modelName(dep);
}

/** `anthropic.claude-sonnet-4-5-20250929-v1:0` for `us.anthropic.claude-...` or an inference-profile ARN. */
export function baseModel(model: string): string {
  const last = model.startsWith("arn:") ? model.slice(model.lastIndexOf("/") + 1) : model;
  return last.toLowerCase().replace(REGION_PREFIX, "");
}

export const isAnthropic = (base: string): boolean => base.startsWith("anthropic.") || base.includes("claude");

/** `3.7` for anthropic.claude-3-7-sonnet-..., `4.5` for anthropic.claude-sonnet-4-5-..., undefined when unknown. */
function claudeVersion(base: string): number | undefined {
  const old = /claude-(\d+)(?:-(\d)(?!\d))?-(?:opus|sonnet|haiku)/.exec(base);
  if (old) return Number(old[1]) + (old[2] ? Number(old[2]) / 10 : 0);
  const cur = /claude-(?:opus|sonnet|haiku)-(\d+)(?:-(\d)(?!\d))?/.exec(base);
  if (cur) return Number(cur[1]) + (cur[2] ? Number(cur[2]) / 10 : 0);
  return undefined;
}

/**
 * Converse structured outputs (`outputConfig.textFormat`): the Claude models AWS's documentation
 * lists (Sonnet 4.5, Haiku 4.5, Opus 4.5 and 4.6). Others get the forced-tool technique.
 */
export function hasStructuredOutputs(base: string): boolean {
  return /claude-(?:sonnet-4-5|haiku-4-5|opus-4-5|opus-4-6)(?=[-.:]|$)/.test(base);
}

type ReasoningStyle = "anthropic-budget" | "anthropic-adaptive" | "nova" | "openai" | "none";

/**
 * How a model takes reasoning_effort through additionalModelRequestFields: Claude 3.7-4.5 a
 * thinking budget, Claude 4.6 on adaptive thinking with an effort, Amazon Nova 2 a
 * `reasoningConfig`, OpenAI's open-weight models a flat `reasoning_effort`.
 */
export function reasoningStyle(base: string): ReasoningStyle {
  if (isAnthropic(base)) {
    const v = claudeVersion(base);
    if (v === undefined) return "anthropic-adaptive";
    if (v < 3.7) return "none";
    return v < 4.6 ? "anthropic-budget" : "anthropic-adaptive";
  }
  if (base.startsWith("amazon.nova-2")) return "nova";
  if (base.startsWith("openai.")) return "openai";
  return "none";
}
