import type { Deployment } from "../../config/deployment";
import { invalidRequest, upstreamJson, upstreamUnreadable } from "../../http/errors";
import { type StreamTranslator, sseTap } from "../../http/sse";
import { gcsBuckets } from "../../providers/gemini/index";
import { geminiUsage } from "../../providers/gemini/response";
import type { UsageMetadata } from "../../providers/gemini/types";
import type { TranslatedResponse, Usage } from "../../providers/types";

/** The Gemini API methods the pass-through serves. */
export const GOOGLE_METHODS = ["generateContent", "streamGenerateContent", "countTokens", "embedContent"] as const;
export type GoogleMethod = (typeof GOOGLE_METHODS)[number];

type Json = Record<string, unknown>;

/**
 * What a client's native body may not do through the gateway: read Cloud Storage objects from
 * buckets the deployment does not list (allowed_gcs_buckets, as on /v1/chat/completions), or name
 * a cached content (another tenant's, in the deployment's project).
 */
export function checkNativeBody(body: Json, dep: Deployment): void {
  if (body.cachedContent !== undefined || body.cached_content !== undefined) throw invalidRequest("cachedContent is not passed through the gateway.", "cachedContent");
  const allowed = gcsBuckets(dep);
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > 64) throw invalidRequest("The request body is nested too deeply.");
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`, depth + 1);
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v as Json)) {
        const here = path ? `${path}.${k}` : k;
        if ((k === "fileUri" || k === "file_uri") && typeof x === "string" && x.toLowerCase().startsWith("gs://")) {
          const bucket = x.slice(5).split("/")[0] ?? "";
          if (!allowed.has(bucket)) throw invalidRequest(`${here}: the bucket '${bucket.slice(0, 100)}' is not in this deployment's allowed_gcs_buckets.`, here);
        } else walk(x, here, depth + 1);
      }
    }
  };
  walk(body, "", 0);
}

/**
 * A complete native answer, passed on as it came: generateContent priced from usageMetadata,
 * countTokens free (Google does not bill it), embedContent from its usageMetadata when it has one,
 * else from the estimated input.
 */
export function nativeGoogleAnswer(text: string, method: GoogleMethod, estimatedInput: number): TranslatedResponse {
  const parsed: Json = upstreamJson(text);
  if (!parsed || typeof parsed !== "object") throw upstreamUnreadable("The upstream answer is not a JSON object.");
  if (method === "countTokens") return { json: text, usage: null, cost: 0 };
  const usage = geminiUsage(parsed.usageMetadata as UsageMetadata | undefined);
  if (method === "embedContent" && !usage) {
    const estimate: Usage = { prompt_tokens: estimatedInput, completion_tokens: 0, total_tokens: estimatedInput };
    return { json: text, usage: estimate };
  }
  return { json: text, usage };
}

/**
 * Passes Gemini's SSE bytes through unchanged, reading usageMetadata from the events that carry it
 * and the answer's own `responseId` (every chunk carries it; the first one is kept).
 */
export function googleStreamTranslator(hooks: { usage(u: Usage): void; failed(): void; id?(id: string): void }): StreamTranslator {
  let idSeen = !hooks.id;
  return sseTap((e) => {
    const wantId = !idSeen && e.data.includes('"responseId"');
    if (!wantId && !e.data.includes('"usageMetadata"') && !e.data.includes('"error"')) return;
    try {
      const data = JSON.parse(e.data) as { usageMetadata?: UsageMetadata; error?: unknown; responseId?: unknown };
      if (wantId && typeof data.responseId === "string" && data.responseId) {
        idSeen = true;
        hooks.id?.(data.responseId.slice(0, 256));
      }
      if (data.error) hooks.failed();
      const u = geminiUsage(data.usageMetadata);
      if (u) hooks.usage(u);
    } catch {
      /* passed on as it came */
    }
  });
}
