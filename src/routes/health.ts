import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { loadConfig } from "../config/load";

export const health = new Hono<AppEnv>();

const alive = () => Response.json("I'm alive!");
health.get("/health/liveliness", alive);
health.get("/health/liveness", alive);

/** Config valid, D1 reachable, and every deployment that cannot be used or option that is ignored. */
health.get("/health/readiness", async (c) => {
  const config = await loadConfig(c.env, (p) => c.executionCtx.waitUntil(p));
  let db = "connected";
  try {
    await c.env.DB.prepare("SELECT 1").first();
  } catch (e) {
    db = `unreachable: ${e instanceof Error ? e.message : String(e)}`;
  }
  const deploymentErrors = config.deployments.filter((d) => d.error).map((d) => ({ id: d.id, model_name: d.modelName, error: d.error }));
  const ok = !config.error && db === "connected" && !config.masterKeyError;
  return c.json(
    {
      status: ok ? "healthy" : "unhealthy",
      db,
      config: {
        valid: !config.error,
        error: config.error ?? null,
        master_key: config.masterKeyError ?? "set",
        models: [...config.groups.keys()],
        deployment_errors: deploymentErrors,
        unsupported: config.unsupported,
        stored_model_errors: config.modelErrors,
      },
    },
    ok ? 200 : 503,
  );
});
