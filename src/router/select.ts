import type { RoutingStrategy } from "../config/router-settings";
import type { Deployment } from "../config/deployment";
import type { HealthStore } from "./health";

const NO_ORDER = Number.MAX_SAFE_INTEGER;

/** A deployment's share in simple-shuffle: `weight`, else `rpm`, else `tpm`, else 1. */
const share = (d: Deployment) => Math.max(0, d.weight ?? d.rpm ?? d.tpm ?? 1);

/** The candidates of the best `order` tier: tier 2 serves only when tier 1 has nothing healthy. */
function bestTier(candidates: readonly Deployment[]): Deployment[] {
  if (!candidates.some((d) => d.order !== undefined)) return [...candidates];
  const best = Math.min(...candidates.map((d) => d.order ?? NO_ORDER));
  return candidates.filter((d) => (d.order ?? NO_ORDER) === best);
}

function weighted(tier: readonly Deployment[], random: () => number): Deployment {
  const total = tier.reduce((s, d) => s + share(d), 0);
  if (total <= 0) return tier[Math.floor(random() * tier.length)]!;
  let r = random() * total;
  for (const d of tier) {
    r -= share(d);
    if (r < 0) return d;
  }
  return tier[tier.length - 1]!;
}

function lowest(tier: readonly Deployment[], score: (d: Deployment) => number, random: () => number): Deployment {
  let best: Deployment[] = [];
  let min = Infinity;
  for (const d of tier) {
    const s = score(d);
    if (s < min) {
      min = s;
      best = [d];
    } else if (s === min) best.push(d);
  }
  return best[Math.floor(random() * best.length)]!;
}

/**
 * Picks one of the healthy candidates (non-empty) by the routing strategy. usage-based-routing
 * is ordered by the caller (it asks each deployment's guard); here it falls back to the weights.
 */
export function pick(candidates: readonly Deployment[], strategy: RoutingStrategy, health: HealthStore, random = Math.random): Deployment {
  const tier = bestTier(candidates);
  if (tier.length === 1) return tier[0]!;
  switch (strategy) {
    case "least-busy":
      return lowest(tier, (d) => health.inFlight(d.id), random);
    case "latency-based-routing":
      // Unmeasured deployments first (so each gets measured), then the lowest recent latency.
      return lowest(tier, (d) => health.latency(d.id) ?? -1, random);
    default:
      return weighted(tier, random);
  }
}
