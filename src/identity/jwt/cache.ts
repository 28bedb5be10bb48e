import type { JwtSettings } from "../../config/jwt-settings";
import type { JwtResolution } from "./principal";

/**
 * Verified tokens -> their principal, per isolate, for at most TTL_MS and never past the token's
 * own `exp`: a client that reuses its token costs no signature check and no D1 read per call.
 * A change to a team or user reaches a cached token within TTL_MS (as for cached keys); its
 * guards (limits, budgets, blocks, deletion) apply on every call regardless.
 */
const TTL_MS = 30_000;
const MAX = 1000;
const entries = new Map<string, { resolution: JwtResolution; until: number; settings: JwtSettings }>();

export function cachedPrincipal(id: string, settings: JwtSettings): JwtResolution | undefined {
  const now = Date.now();
  const e = entries.get(id);
  if (!e) return undefined;
  if (e.until <= now || e.settings !== settings) {
    entries.delete(id);
    return undefined;
  }
  return e.resolution;
}

export function cachePrincipal(id: string, settings: JwtSettings, resolution: JwtResolution): void {
  const now = Date.now();
  if (entries.size >= MAX) entries.delete(entries.keys().next().value!);
  entries.set(id, { resolution, settings, until: Math.min(now + TTL_MS, resolution.exp) });
}

export function resetPrincipalCache(): void {
  entries.clear();
}
