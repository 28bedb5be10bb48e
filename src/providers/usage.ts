import type { Usage } from "./types";

type Json = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** Reads an OpenAI-style `usage` object (chat completions and embeddings). */
export function openaiUsage(u: unknown): Usage | null {
  if (!u || typeof u !== "object") return null;
  const o = u as Json;
  const prompt = num(o.prompt_tokens) ?? num(o.input_tokens) ?? 0;
  const completion = num(o.completion_tokens) ?? num(o.output_tokens) ?? 0;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: num(o.total_tokens) ?? prompt + completion };
  const pd = (o.prompt_tokens_details ?? o.input_tokens_details) as Json | undefined;
  const cd = (o.completion_tokens_details ?? o.output_tokens_details) as Json | undefined;
  const cached = num(pd?.cached_tokens);
  if (cached) usage.cached_tokens = cached;
  const reasoning = num(cd?.reasoning_tokens);
  if (reasoning) usage.reasoning_tokens = reasoning;
  return usage;
}

/** OpenAI's `usage` object for a Usage. */
export function toOpenAIUsage(u: Usage): Json {
  const out: Json = { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.total_tokens };
  if (u.cached_tokens !== undefined || u.cache_creation_tokens !== undefined) {
    out.prompt_tokens_details = { cached_tokens: u.cached_tokens ?? 0 };
  }
  if (u.reasoning_tokens !== undefined) out.completion_tokens_details = { reasoning_tokens: u.reasoning_tokens };
  return out;
}

/**
 * Usage for providers that count cache reads and writes apart from their input tokens (Anthropic,
 * Bedrock Converse): prompt_tokens is the sum; cached_tokens the reads, cache_creation_tokens the
 * writes (each only when the provider reported it).
 */
export function usageWithCache(input: unknown, output: unknown, cacheRead: unknown, cacheWrite: unknown): Usage {
  const n = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  const prompt = n(input) + n(cacheRead) + n(cacheWrite);
  const completion = n(output);
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (cacheRead != null) usage.cached_tokens = n(cacheRead);
  if (cacheWrite != null) usage.cache_creation_tokens = n(cacheWrite);
  return usage;
}
