import type { JwtSettings } from "../../config/jwt-settings";
import type { Principal } from "../../http/auth";

/**
 * Verified tokens -> their principal, per isolate, for at most TTL_MS and never past the token's
 * own `exp`: a client that reuses its token costs no signature check and no D1 read per call.
 * A change to a team or user reaches a cached token within TTL_MS (as for cached keys); its
 * guards (limits, budgets, blocks, deletion) apply on every call regardless.
 */
const TTL_MS = 30_000;
const MAX = 1000;
const entries = new Map<string, { principal: Principal; until: number; settings: JwtSettings }>();

export function cachedPrincipal(id: string, settings: JwtSettings, now = Date.now()): Principal | undefined {
  const e = entries.get(id);
  if (!e) return undefined;
  if (e.until <= now || e.settings !== settings) {
    entries.delete(id);
    return undefined;
  }
  return e.principal;
}

export function cachePrincipal(id: string, settings: JwtSettings, principal: Principal, exp: number, now = Date.now()): void {
  if (entries.size >= MAX) entries.delete(entries.keys().next().value!);
  entries.set(id, { principal, settings, until: Math.min(now + TTL_MS, exp) });
}

export function resetPrincipalCache(): void {
  entries.clear();
}
