import { sha256Hex } from "../config/hash";
/** The gateway key from any of the headers clients use: Bearer, x-api-key, api-key, x-litellm-api-key, x-goog-api-key (Google's SDKs). */
export function keyFromHeaders(headers: Headers): string | undefined {
  const auth = headers.get("authorization");
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  return headers.get("x-api-key")?.trim() || headers.get("api-key")?.trim() || headers.get("x-litellm-api-key")?.trim() || headers.get("x-goog-api-key")?.trim() || undefined;
}

/** Recently presented keys -> their hash, per isolate: a busy key is hashed once, not per request. */
const recent = new Map<string, string>();
const RECENT_MAX = 1000;

/** SHA-256 of a key, as lowercase hex: the only form in which keys are stored. */
export async function hashKey(key: string): Promise<string> {
  const hit = recent.get(key);
  if (hit) return hit;
  const hash = await sha256Hex(key);
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
  recent.set(key, hash);
  return hash;
}
