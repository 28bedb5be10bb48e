import type { TranslatedResponse, Usage } from "../types";

/** A float vector as OpenAI's base64 form: little-endian float32 bytes. */
function floatsToBase64(vector: readonly number[]): string {
  const bytes = new Uint8Array(new Float32Array(vector).buffer);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** OpenAI's embeddings list for vectors a provider returned as floats. */
export function embeddingsList(vectors: readonly (readonly number[])[], model: string, usage: Usage, format: "float" | "base64" | null | undefined): string {
  return JSON.stringify({
    object: "list",
    data: vectors.map((v, index) => ({ object: "embedding", index, embedding: format === "base64" ? floatsToBase64(v) : v })),
    model,
    usage: { prompt_tokens: usage.prompt_tokens, total_tokens: usage.total_tokens },
  });
}

/** A token estimate for providers that report none (about 4 characters a token). */
export const estimateTokens = (texts: readonly string[]): number => texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0);

/**
 * One OpenAI embeddings list from the lists of a request sent in parts (EmbeddingsAdapter.split):
 * the vectors in order, re-indexed, and the usage summed.
 */
export function joinEmbeddingLists(parts: readonly TranslatedResponse[]): TranslatedResponse {
  const data: Array<Record<string, unknown>> = [];
  let model: unknown;
  let prompt = 0;
  let total = 0;
  for (const part of parts) {
    const list = JSON.parse(part.json) as { data: Array<Record<string, unknown>>; model?: unknown };
    model ??= list.model;
    for (const item of list.data) data.push({ ...item, index: data.length });
    prompt += part.usage?.prompt_tokens ?? 0;
    total += part.usage?.total_tokens ?? 0;
  }
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: 0, total_tokens: total };
  return { json: JSON.stringify({ object: "list", data, model, usage: { prompt_tokens: prompt, total_tokens: total } }), usage };
}
