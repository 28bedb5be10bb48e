import type { KeyRow } from "../db/schema";
import { forbidden } from "./errors";

/** LiteLLM's key types: what kind of route a key may call at all. */
export const KEY_TYPES = ["default", "llm_api", "management", "read_only"] as const;

/** The named route groups `allowed_routes` accepts besides paths (LiteLLM's names). */
export const ROUTE_GROUPS = ["llm_api_routes", "management_routes", "info_routes"] as const;

type RouteKind = "llm" | "admin-read" | "admin-write";

const strip = (path: string) => (path.startsWith("/v1/") ? path.slice(3) : path);

function routeAllowed(allowed: readonly string[], path: string, kind: RouteKind): boolean {
  for (const entry of allowed) {
    if (entry === "llm_api_routes" && kind === "llm") return true;
    if (entry === "management_routes" && kind !== "llm") return true;
    if (entry === "info_routes" && kind === "admin-read") return true;
    if (entry.endsWith("*")) {
      const prefix = entry.slice(0, -1);
      if (path.startsWith(prefix) || strip(path).startsWith(strip(prefix))) return true;
    } else if (entry === path || strip(entry) === strip(path)) return true;
  }
  return false;
}

/**
 * Refuses (403) a route the key's `key_type` or `allowed_routes` excludes: `llm_api` keys call
 * no admin route, `management` keys no model, `read_only` keys only read routes.
 * Costs nothing for a default key without allowed_routes.
 */
export function checkKeyRoute(key: KeyRow, path: string, kind: RouteKind): void {
  const type = key.keyType;
  if (type === "llm_api" && kind !== "llm") throw forbidden("This key's key_type is 'llm_api': it may call model routes only.");
  if (type === "management" && kind === "llm") throw forbidden("This key's key_type is 'management': it may call admin routes only.");
  if (type === "read_only" && kind !== "admin-read") throw forbidden("This key's key_type is 'read_only': it may call read (info and list) routes only.");
  if (key.allowedRoutes?.length && !routeAllowed(key.allowedRoutes, path, kind)) {
    throw forbidden(`The route ${path} is not in this key's allowed_routes.`);
  }
}
