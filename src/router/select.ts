import type { Deployment } from "../config/deployment";
import { configError } from "../http/errors";

/** A deployment's share in simple-shuffle: `weight`, else `rpm`, else `tpm`, else 1. */
function share(d: Deployment): number {
  return d.weight ?? d.rpm ?? d.tpm ?? 1;
}

/**
 * simple-shuffle: among the usable deployments of the lowest `order` tier, a weighted random pick.
 * A group whose every deployment is unusable (a missing secret) answers 503 config_error.
 */
export function pickDeployment(group: readonly Deployment[], random = Math.random): Deployment {
  const usable = group.filter((d) => !d.error);
  if (usable.length === 0) throw configError(group[0]?.error ?? "No deployment is configured for this model.");
  let tier = usable;
  if (usable.some((d) => d.order !== undefined)) {
    const best = Math.min(...usable.map((d) => d.order ?? Number.MAX_SAFE_INTEGER));
    tier = usable.filter((d) => (d.order ?? Number.MAX_SAFE_INTEGER) === best);
  }
  if (tier.length === 1) return tier[0]!;
  const total = tier.reduce((s, d) => s + Math.max(0, share(d)), 0);
  if (total <= 0) return tier[Math.floor(random() * tier.length)]!;
  let r = random() * total;
  for (const d of tier) {
    r -= Math.max(0, share(d));
    if (r < 0) return d;
  }
  return tier[tier.length - 1]!;
}
