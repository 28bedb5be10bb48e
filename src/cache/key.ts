import { GATEWAY_FIELDS } from "../api/controls";
import { sha256Hex } from "../config/hash";
/** Body fields that do not change the answer, or are the gateway's own: never part of a cache key. */
const IGNORED = new Set<string>(["model", "user", "metadata", "stream", "stream_options", ...GATEWAY_FIELDS]);

/** JSON with object keys sorted at every depth, so field order never changes a key. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    if (obj[k] === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  }
  return `{${parts.join(",")}}`;
}

/** The request fields that change the answer: the body without the ignored and `mock_*` fields. */
export function answerFields(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!body || typeof body !== "object") return out;
  for (const [k, v] of Object.entries(body)) {
    if (IGNORED.has(k) || k.startsWith("mock_")) continue;
    out[k] = v;
  }
  return out;
}

export { sha256Hex };

/**
 * What an exact-cache key stands for: the route, the model group (not the deployment: every
 * deployment of a group answers the same question) and the answer-changing fields, or a client's
 * own key (cf-aig-cache-key) when it sent one. The key is `<namespace>:<scope>:<sha256 of this>`
 * (the `local` backend keys by the text itself and derives the hashed form on a hit).
 */
export function cacheKeyText(route: string, group: string, body: unknown, customKey?: string): string {
  return customKey !== undefined ? `custom\u0000${customKey}` : canonicalJson([route, group, answerFields(body)]);
}
