import type { Deployment } from "../config/deployment";
import type { Env } from "../env";
import { type GatewayError, rateLimited } from "../http/errors";

const limited = (d: Deployment) => !!(d.rpm || d.tpm);
const guardOf = (env: Env, d: Deployment) => env.DEPLOYMENT_GUARD.get(env.DEPLOYMENT_GUARD.idFromName(d.id));

/**
 * usage-based-routing: the deployment with the lowest use of its own rpm/tpm over the last minute,
 * whose guard grants it a request slot; a deployment at its limit is skipped. Deployments without
 * rpm/tpm never pay a guard hop (and count as unused).
 */
export async function chooseByUsage(env: Env, candidates: Deployment[]): Promise<Deployment | GatewayError> {
  const uses = await Promise.all(candidates.map(async (d) => (limited(d) ? (await guardOf(env, d).usage(d.rpm ?? null, d.tpm ?? null)).use : 0)));
  const order = candidates.map((d, i) => ({ d, use: uses[i]! })).sort((a, b) => a.use - b.use);
  let soonest = Infinity;
  for (const { d } of order) {
    if (!limited(d)) return d;
    const r = await guardOf(env, d).take(d.rpm ?? null, d.tpm ?? null);
    if (r.ok) return d;
    soonest = Math.min(soonest, r.resetMs);
  }
  return rateLimited(`Every deployment is at its rpm/tpm limit; retry after ${Math.ceil(soonest / 1000)}s.`, soonest / 1000);
}

/** Counts a finished call's tokens against its deployment's tpm (off the response path). */
export function settleUsage(env: Env, d: Deployment, tokens: number): Promise<void> | undefined {
  if (!d.tpm || tokens <= 0) return undefined;
  return guardOf(env, d).settle(tokens);
}
