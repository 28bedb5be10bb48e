import type { Deployment } from "../config/deployment";

/** A response's headers while the call is answered: a plain record, turned into `Headers` once with the Response (one crossing into the runtime, not one per header). */
export type HeaderRecord = Record<string, string>;

/** x-gateway-* facts about the call, with LiteLLM's names as aliases. */
export function gatewayHeaders(h: HeaderRecord, dep: Deployment, attempts: number, fallbacks: number): void {
  h["x-gateway-deployment"] = dep.id;
  h["x-litellm-model-id"] = dep.id;
  h["x-gateway-attempts"] = String(attempts);
  h["x-litellm-attempted-retries"] = String(Math.max(0, attempts - 1));
  h["x-gateway-fallbacks"] = String(fallbacks);
  h["x-litellm-attempted-fallbacks"] = String(fallbacks);
}

export function costHeaders(h: HeaderRecord, cost: number | null, keySpend?: number): void {
  if (cost !== null) {
    h["x-gateway-cost"] = String(cost);
    h["x-litellm-response-cost"] = String(cost);
  }
  if (keySpend !== undefined) {
    h["x-gateway-key-spend"] = String(keySpend);
    h["x-litellm-key-spend"] = String(keySpend);
  }
}

/** The upstream's own rate-limit headers, passed on prefixed `llm_provider-`. */
export function providerHeaders(h: HeaderRecord, upstream: Headers): void {
  upstream.forEach((value, name) => {
    if (name.startsWith("x-ratelimit-") || name === "retry-after" || name.startsWith("anthropic-ratelimit-")) {
      h[`llm_provider-${name}`] = value;
    }
  });
}

/** What LiteLLM's x-litellm-* call headers tell, known when the answer (or its stream's first byte) goes out. */
interface CallFacts {
  callId: string;
  /** The model group that served the call (the requested one, or the fallback that answered). */
  group: string;
  /** The upstream's origin (scheme and host; never a path, query or credentials). */
  apiBase?: string;
  /** Unix ms when the call started. */
  start: number;
  /** Time spent waiting on upstreams (every attempt, until its answer's headers). */
  upstreamMs: number;
  /** The calling key's own limits (LiteLLM sends those that are set). */
  key?: { maxBudget: number | null; rpmLimit: number | null; tpmLimit: number | null };
}

export function callHeaders(h: HeaderRecord, f: CallFacts): void {
  h["x-litellm-call-id"] = f.callId;
  h["x-litellm-model-group"] = f.group;
  if (f.apiBase) h["x-litellm-model-api-base"] = f.apiBase;
  const total = Math.max(0, Date.now() - f.start);
  h["x-litellm-response-duration-ms"] = String(total);
  h["x-litellm-overhead-duration-ms"] = String(Math.max(0, total - f.upstreamMs));
  if (f.key?.maxBudget != null) h["x-litellm-key-max-budget"] = String(f.key.maxBudget);
  if (f.key?.rpmLimit != null) h["x-litellm-key-rpm-limit"] = String(f.key.rpmLimit);
  if (f.key?.tpmLimit != null) h["x-litellm-key-tpm-limit"] = String(f.key.tpmLimit);
}
