import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { Deployment } from "../config/deployment";
import { type CheckResult, checkDeployments, report } from "../gateway/health-check";
import { healthCheckerOf } from "../gateway/health-checker";
import { deploymentStates, stateSource } from "../gateway/deployment-state";
import { forbidden, GatewayError, modelNotFound } from "../http/errors";
import { resolveGroup } from "../router/groups";

/** The deployments a `?model=` (a group, an alias, or a name a wildcard group serves) or `?model_id=` names; all without either. */
function targeted(c: Context<AppEnv>): Deployment[] {
  const config = c.get("config");
  const model = c.req.query("model");
  const id = c.req.query("model_id");
  if (model) {
    const group = resolveGroup(config, model);
    if (!group) throw modelNotFound(model);
    return id ? group.deployments.filter((d) => d.id === id) : group.deployments;
  }
  if (id) {
    const dep = config.deployments.find((d) => d.id === id);
    if (!dep) throw new GatewayError(404, `No deployment has the id '${id.slice(0, 200)}'.`, "invalid_request_error", "model_not_found", "model_id");
    return [dep];
  }
  return config.deployments;
}

/**
 * GET /health (master key): LiteLLM's model health. Each deployment (or those `?model=` /
 * `?model_id=` name) gets one minimal call of its mode, charged to no key and logged as no call;
 * with background checks on, the latest background results answer instead (a deployment the last
 * run did not check, e.g. added since, is checked now). A targeted check with no healthy endpoint answers 503, as LiteLLM does.
 */
export async function modelHealth(c: Context<AppEnv>): Promise<Response> {
  if (c.get("principal").kind !== "master") throw forbidden("GET /health calls every deployment: it needs the master key.");
  const config = c.get("config");
  const deps = targeted(c);
  let results: CheckResult[] = [];
  let unchecked = deps;
  if (config.settings.health.background) {
    // The latest run answers for the deployments it checked; one added since is checked now.
    const snapshot = await healthCheckerOf(c.env).snapshot();
    const known = new Map((snapshot?.results ?? []).map((r) => [r.id, r]));
    results = deps.flatMap((d) => known.get(d.id) ?? []);
    unchecked = deps.filter((d) => !known.has(d.id));
  }
  if (unchecked.length) results = [...results, ...(await checkDeployments(config, unchecked))];
  const answer = report(results);
  const isTargeted = c.req.query("model") !== undefined || c.req.query("model_id") !== undefined;
  return c.json(answer, isTargeted && answer.healthy_count === 0 ? 503 : 200);
}

/**
 * GET /health/deployments (proxy admins and viewers): each deployment's router state without
 * calling it: healthy, cooling down (until when), unusable as configured; failures in the last
 * minute, calls in flight, recent latency. `scope` says where the state lives: `shared_cooldowns`:
 * cooldowns are every isolate's (the shared record), the rest the answering isolate's own view.
 */
export async function deploymentHealth(c: Context<AppEnv>): Promise<Response> {
  const data = await deploymentStates(c.env, targeted(c));
  return c.json({ data, scope: stateSource.scope, checked_at: new Date().toISOString() });
}
