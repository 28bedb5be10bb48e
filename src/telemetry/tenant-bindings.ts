import { decryptSecret, isEncrypted, saltKey } from "../config/secrets";
import type { Env } from "../env";
import { SinkError } from "./sinks/http";
import type { Tenant } from "./tenant-callbacks";
import { entryBindings, storedEntries } from "./tenant-logging";

/**
 * The bindings a tenant's sink delivers with: its key's or team's current `metadata.logging`
 * entry for the callback, secrets decrypted, read from D1 when a batch is delivered (so a change or
 * a disable_logging holds for what is still queued). Never the gateway's own sink variables.
 */
export async function tenantBindings(env: Env, name: string, tenant: Tenant): Promise<Record<string, string>> {
  const row =
    tenant.kind === "key"
      ? await env.DB.prepare("SELECT metadata FROM keys WHERE token = ?").bind(tenant.token).first<{ metadata: string }>()
      : await env.DB.prepare("SELECT metadata FROM teams WHERE team_id = ?").bind(tenant.id).first<{ metadata: string }>();
  const who = tenant.kind === "key" ? "key" : `team '${tenant.id}'`;
  if (!row) throw new SinkError(`${name}: the ${who} no longer exists`, false);
  let metadata: { logging?: unknown };
  try {
    metadata = JSON.parse(row.metadata) as { logging?: unknown };
  } catch {
    throw new SinkError(`${name}: the ${who}'s metadata is not JSON`, false);
  }
  const entry = storedEntries(metadata?.logging).find((e) => e.callback_name === name);
  if (!entry) throw new SinkError(`${name}: no longer in the ${who}'s metadata.logging`, false);
  const salt = saltKey(env as unknown as Record<string, unknown>);
  const bindings = env as unknown as Record<string, unknown>;
  return entryBindings(entry, async (value) => {
    if (isEncrypted(value as unknown)) {
      if (!salt) throw new SinkError(`${name}: the ${who}'s stored credentials need the SWITCHYARD_SALT_KEY secret`, false);
      try {
        return await decryptSecret(value, salt);
      } catch {
        throw new SinkError(`${name}: the ${who}'s stored credentials do not decrypt with SWITCHYARD_SALT_KEY`, false);
      }
    }
    if (value.startsWith("os.environ/")) {
      const v = bindings[value.slice("os.environ/".length)];
      if (typeof v !== "string" || !v) throw new SinkError(`${name}: ${value} is not set`, false);
      return v;
    }
    return value;
  });
}
