import { Hono } from "hono";
import { version } from "../../package.json";
import type { AppEnv } from "../app-env";
import { loadConfig } from "../config/load";
import type { ResolvedConfig } from "../config/resolve";
import { SUPPORTED_SETTINGS } from "../config/settings-schemas";
import { hashKey, keyFromHeaders } from "../http/key-header";

export const health = new Hono<AppEnv>();

const alive = () => Response.json("I'm alive!");
health.get("/health/liveliness", alive);
health.get("/health/liveness", alive);

/**
 * Whether the caller presented the master key (any other key, or none, gets the public answer).
 * No D1 lookup: readiness must answer when D1 does not. The MASTER_KEY binding counts even when
 * the config is invalid, so an admin can still read why.
 */
async function isMaster(headers: Headers, env: AppEnv["Bindings"], config: ResolvedConfig): Promise<boolean> {
  const presented = keyFromHeaders(headers);
  const binding = (env as unknown as Record<string, unknown>).MASTER_KEY;
  const master = config.masterKey ?? (typeof binding === "string" && binding ? binding : undefined);
  if (!presented || !master) return false;
  const [a, b] = await Promise.all([hashKey(presented), hashKey(master)]);
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Readiness. Public: LiteLLM's status fields only (`status`, `db`, `cache`, `version`), never
 * model names, binding names or database error text. With the master key: the config errors,
 * deployment errors, the settings keys honoured (from the section schemas), unsupported options and
 * stored-model errors as well.
 */
health.get("/health/readiness", async (c) => {
  const config = await loadConfig(c.env, (p) => c.executionCtx.waitUntil(p));
  let dbError: string | undefined;
  try {
    await c.env.DB.prepare("SELECT 1").first();
  } catch (e) {
    dbError = e instanceof Error ? e.message : String(e);
  }
  const ok = !config.error && !dbError && !config.masterKeyError;
  const status = ok ? 200 : 503;
  // LiteLLM answers its cache type (e.g. "redis"); ours: local, cloudflare-kv, cloudflare-cache or semantic, null when off.
  const answer = { status: ok ? "healthy" : "unhealthy", db: dbError ? "unreachable" : "connected", cache: config.settings?.cache?.type ?? null, version };
  if (!(await isMaster(c.req.raw.headers, c.env, config))) return c.json(answer, status);
  const deploymentErrors = config.deployments.filter((d) => d.error).map((d) => ({ id: d.id, model_name: d.modelName, error: d.error }));
  return c.json(
    {
      ...answer,
      db_error: dbError ?? null,
      config: {
        valid: !config.error,
        error: config.error ?? null,
        master_key: config.masterKeyError ?? "set",
        models: [...config.groups.keys()],
        deployment_errors: deploymentErrors,
        supported: SUPPORTED_SETTINGS,
        unsupported: config.unsupported,
        ignored: config.ignored,
        stored_model_errors: config.modelErrors,
      },
    },
    status,
  );
});
