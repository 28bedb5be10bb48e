import type { RateInfo } from "./guard-state";

/** A duration as OpenAI writes it in x-ratelimit-reset-*: `20ms`, `1s`, `6m0s`, `1h2m3s`. */
function formatReset(ms: number): string {
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

/** OpenAI's rate-limit headers for a requests or tokens window. */
export function limitHeaders(kind: "requests" | "tokens", info: RateInfo): Record<string, string> {
  return {
    [`x-ratelimit-limit-${kind}`]: String(info.limit),
    [`x-ratelimit-remaining-${kind}`]: String(Math.max(0, info.remaining)),
    [`x-ratelimit-reset-${kind}`]: formatReset(info.resetMs),
  };
}
