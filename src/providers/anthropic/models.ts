/**
 * What the adapter needs to know about a Claude model, read from its name: the API's features
 * differ by generation (checked against Anthropic's model and feature pages, 2026):
 * - structured outputs (`output_config.format`, strict tools): Claude 4.5 and newer;
 * - thinking: manual `{type: "enabled", budget_tokens}` from Claude 3.7 to 4.5; adaptive
 *   (`{type: "adaptive"}` + `output_config.effort`) from 4.6 on, where the manual form is
 *   deprecated (4.6) or refused (4.7, the 5 family); none before 3.7;
 * - output limits: 4,096 tokens for Claude 3, 8,192 for 3.5, more for later models.
 * A name the patterns do not recognise is taken to be a current model.
 */

/** `3.5` for claude-3-5-sonnet-..., `4.5` for claude-sonnet-4-5-..., undefined when unknown. */
export function claudeVersion(model: string): number | undefined {
  const name = model.toLowerCase();
  // Old scheme: claude-<major>[-<minor>]-<family> (claude-3-5-sonnet-20241022, claude-3-haiku-20240307).
  const old = /claude-(\d+)(?:[-.](\d))?-(?:opus|sonnet|haiku)/.exec(name);
  if (old) return Number(old[1]) + (old[2] ? Number(old[2]) / 10 : 0);
  // New scheme: claude-<family>-<major>[-<minor>] (claude-sonnet-4-5-20250929, claude-opus-4-1, claude-sonnet-4-20250514).
  const cur = /claude-[a-z]+-(\d+)(?:[-.](\d)(?!\d))?/.exec(name);
  if (cur) return Number(cur[1]) + (cur[2] ? Number(cur[2]) / 10 : 0);
  return undefined;
}

type ThinkingMode = "none" | "budget" | "adaptive";

export function thinkingMode(model: string): ThinkingMode {
  const v = claudeVersion(model);
  if (v === undefined) return "adaptive";
  if (v < 3.7) return "none";
  return v < 4.6 ? "budget" : "adaptive";
}

/** `output_config.format` and `strict` tools. */
export function hasStructuredOutputs(model: string): boolean {
  const v = claudeVersion(model);
  return v === undefined || v >= 4.5;
}

/** `max_tokens` when the client sent none (Anthropic requires it). */
export function defaultMaxTokens(model: string): number {
  const v = claudeVersion(model);
  return v !== undefined && v < 3.5 ? 4096 : 8192;
}

export type Effort = "minimal" | "low" | "medium" | "high" | "xhigh";

/** Thinking budgets for manual thinking (low/medium/high as LiteLLM maps them). */
export const THINKING_BUDGET: Readonly<Record<Effort, number>> = { minimal: 1024, low: 1024, medium: 2048, high: 4096, xhigh: 8192 };

/** The smallest budget Anthropic accepts. */
export const MIN_THINKING_BUDGET = 1024;

/** OpenAI's reasoning_effort as Anthropic's `output_config.effort` (xhigh exists from Opus 4.7 on; `max` before). */
export function effortLevel(effort: Effort, model: string): string {
  if (effort === "minimal") return "low";
  if (effort !== "xhigh") return effort;
  const v = claudeVersion(model);
  return v === undefined || v >= 4.7 ? "xhigh" : "max";
}
