const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, mo: 2_592_000_000 };

/** LiteLLM's durations: `30s`, `30m`, `1h`, `1d`, `7d`, `1w`, `1mo` -> milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(s|m|h|d|w|mo)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return n > 0 ? n * UNITS[m[2]!]! : undefined;
}
