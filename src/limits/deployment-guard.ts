import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { SlidingWindow } from "./window";

interface DeploymentUse {
  /** The larger of requests/rpm and tokens/tpm over the last minute (0..1+). */
  use: number;
  resetMs: number;
}

/**
 * One per deployment whose config sets rpm or tpm, used by usage-based-routing: the
 * deployment's own limits, exact across every isolate. Counters live in memory.
 */
export class DeploymentGuard extends DurableObject<Env> {
  private requests = new SlidingWindow();
  private tokens = new SlidingWindow();

  private measure(rpm: number | null, tpm: number | null, now: number): DeploymentUse {
    const r = rpm ? this.requests.used(now) / rpm : 0;
    const t = tpm ? this.tokens.used(now) / tpm : 0;
    const resetMs = Math.max(rpm ? this.requests.resetMs(now) : 1, tpm ? this.tokens.resetMs(now) : 1);
    return { use: Math.max(r, t), resetMs };
  }

  usage(rpm: number | null, tpm: number | null, now = Date.now()): DeploymentUse {
    return this.measure(rpm, tpm, now);
  }

  /** Takes a request slot if the deployment is under both limits (tokens are counted at settle). */
  take(rpm: number | null, tpm: number | null, now = Date.now()): DeploymentUse & { ok: boolean } {
    const before = this.measure(rpm, tpm, now);
    const underRpm = !rpm || this.requests.used(now) < rpm;
    const underTpm = !tpm || this.tokens.used(now) < tpm;
    if (!underRpm || !underTpm) return { ok: false, ...before };
    this.requests.add(1, now);
    return { ok: true, ...this.measure(rpm, tpm, now) };
  }

  settle(tokens: number, now = Date.now()): void {
    this.tokens.add(tokens, now);
  }
}
