import type { Deployment } from "../config/deployment";

/** x-gateway-* facts about the call, with LiteLLM's names as aliases. */
export function gatewayHeaders(h: Headers, dep: Deployment, attempts: number, fallbacks: number): void {
  h.set("x-gateway-deployment", dep.id);
  h.set("x-litellm-model-id", dep.id);
  h.set("x-gateway-attempts", String(attempts));
  h.set("x-litellm-attempted-retries", String(Math.max(0, attempts - 1)));
  h.set("x-gateway-fallbacks", String(fallbacks));
  h.set("x-litellm-attempted-fallbacks", String(fallbacks));
}

export function costHeaders(h: Headers, cost: number | null, keySpend?: number): void {
  if (cost !== null) {
    h.set("x-gateway-cost", String(cost));
    h.set("x-litellm-response-cost", String(cost));
  }
  if (keySpend !== undefined) {
    h.set("x-gateway-key-spend", String(keySpend));
    h.set("x-litellm-key-spend", String(keySpend));
  }
}

/** The upstream's own rate-limit headers, passed on prefixed `llm_provider-`. */
export function providerHeaders(h: Headers, upstream: Headers): void {
  upstream.forEach((value, name) => {
    if (name.startsWith("x-ratelimit-") || name === "retry-after" || name.startsWith("anthropic-ratelimit-")) {
      h.set(`llm_provider-${name}`, value);
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

export function callHeaders(h: Headers, f: CallFacts): void {
  h.set("x-litellm-call-id", f.callId);
  h.set("x-litellm-model-group", f.group);
  if (f.apiBase) h.set("x-litellm-model-api-base", f.apiBase);
  const total = Math.max(0, Date.now() - f.start);
  h.set("x-litellm-response-duration-ms", String(total));
  h.set("x-litellm-overhead-duration-ms", String(Math.max(0, total - f.upstreamMs)));
  if (f.key?.maxBudget != null) h.set("x-litellm-key-max-budget", String(f.key.maxBudget));
  if (f.key?.rpmLimit != null) h.set("x-litellm-key-rpm-limit", String(f.key.rpmLimit));
  if (f.key?.tpmLimit != null) h.set("x-litellm-key-tpm-limit", String(f.key.tpmLimit));
}
