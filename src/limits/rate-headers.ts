import type { RateInfo } from "./guard-state";

/** A duration as OpenAI writes it in x-ratelimit-reset-*: `20ms`, `1s`, `6m0s`, `1h2m3s`. */
export function formatReset(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  let s = Math.ceil(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

/** OpenAI's request-limit headers for a key's rpm window. */
export function requestLimitHeaders(rpm: RateInfo): Record<string, string> {
  return {
    "x-ratelimit-limit-requests": String(rpm.limit),
    "x-ratelimit-remaining-requests": String(rpm.remaining),
    "x-ratelimit-reset-requests": formatReset(rpm.resetMs),
  };
}
