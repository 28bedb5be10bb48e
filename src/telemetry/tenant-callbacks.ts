import { storedEntries } from "./tenant-logging";

/** Where a tenant's sink gets its credentials: a key (by token) or a team (by id). */
export type Tenant = { kind: "key"; token: string } | { kind: "team"; id: string };

/**
 * A tenant sink's identity, as the export queue and the dead letters name it:
 * `<callback>@key:<token>` or `<callback>@team:<team id>`. A failing tenant sink parks its own batches only.
 */
export const tenantSinkId = (name: string, tenant: Tenant): string => `${name}@${tenant.kind === "key" ? `key:${tenant.token}` : `team:${tenant.id}`}`;

/** The callback name and tenant of a sink identity (a plain callback name has no tenant). */
export function parseSinkId(id: string): { name: string; tenant?: Tenant } {
  const at = id.indexOf("@");
  if (at < 0) return { name: id };
  const name = id.slice(0, at);
  const rest = id.slice(at + 1);
  if (rest.startsWith("key:") && rest.length > 4) return { name, tenant: { kind: "key", token: rest.slice(4) } };
  if (rest.startsWith("team:") && rest.length > 5) return { name, tenant: { kind: "team", id: rest.slice(5) } };
  return { name: id };
}

/** The fields of a caller's key that tenant logging reads. */
interface TenantKey {
  token: string;
  teamId: string | null;
  metadata: Record<string, unknown>;
  /** The team's metadata.logging, loaded with the key. */
  teamLogging?: unknown;
}

interface Resolved {
  success: string[];
  failure: string[];
}

const NONE: Resolved = { success: [], failure: [] };
/** Per cached key record: its tenant callbacks, resolved once. */
const resolved = new WeakMap<object, Resolved>();

function resolve(key: TenantKey, own: boolean): Resolved {
  // A key's own logging overrides its team's (LiteLLM's precedence); an empty list turns the team's off.
  const useKey = own && Array.isArray(key.metadata?.logging);
  const entries = storedEntries(useKey ? key.metadata.logging : key.teamLogging);
  if (!entries.length) return NONE;
  const tenant: Tenant = useKey ? { kind: "key", token: key.token } : { kind: "team", id: key.teamId ?? "" };
  if (tenant.kind === "team" && !tenant.id) return NONE;
  const out: Resolved = { success: [], failure: [] };
  for (const e of entries) {
    const id = tenantSinkId(e.callback_name, tenant);
    if (e.callback_type !== "failure") out.success.push(id);
    if (e.callback_type !== "success") out.failure.push(id);
  }
  return out;
}

/**
 * The tenant sinks of a call by its outcome. `own`: the key is a stored virtual key (its own
 * metadata.logging counts; a key made by a hook or a JWT has only its team's). On the hot path a
 * call with no tenant logging costs two property reads.
 */
export function tenantCallbacks(key: TenantKey, own: boolean, success: boolean): string[] {
  if ((!own || key.metadata?.logging === undefined) && (key.teamLogging === undefined || key.teamLogging === null)) return NONE.success;
  let r = resolved.get(key);
  if (!r) {
    r = resolve(key, own);
    resolved.set(key, r);
  }
  return success ? r.success : r.failure;
}
