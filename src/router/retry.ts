import type { GatewayError } from "../http/errors";

export type FailureKind = "retry" | "fallback" | "context" | "content" | "final";

/**
 * What a failed attempt allows: `retry` (408, 429, 5xx, connection failures, timeouts), a
 * fallback without retrying (401/403/404 from the upstream), the context-window or
 * content-policy fallbacks, or nothing (any other client error).
 */
export function classify(e: GatewayError): FailureKind {
  if (e.code === "config_error") return "fallback"; // the deployment cannot be used: no point retrying it
  if (e.code === "context_length_exceeded") return "context";
  if (e.code === "content_policy_violation") return "content";
  if (e.status === 408 || e.status === 429 || e.status >= 500) return "retry";
  if (e.status === 401 || e.status === 403 || e.status === 404) return "fallback";
  return "final";
}

/** The upstream's retry hint in ms (`retry-after-ms`, `retry-after` seconds or HTTP date). */
export function retryAfterMs(e: GatewayError, now = Date.now()): number | undefined {
  const ms = Number(e.headers["retry-after-ms"]);
  if (e.headers["retry-after-ms"] && Number.isFinite(ms)) return Math.max(0, ms);
  const ra = e.headers["retry-after"];
  if (!ra) return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const BASE_MS = 250;

/** Exponential backoff with jitter for retry `n` (0-based), never shorter than the upstream's hint. */
export function backoffMs(n: number, hintMs: number | undefined, random = Math.random): number {
  const exp = BASE_MS * 2 ** n;
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.max(jittered, hintMs ?? 0);
}
