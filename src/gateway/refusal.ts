import type { ResolvedConfig } from "../config/resolve";
import type { Env } from "../env";
import type { Principal } from "../http/auth";
import type { GatewayError } from "../http/errors";
import type { SpendEvent } from "../spend/event";
import { recordSpend } from "../spend/sender";
import { buildTrace } from "../telemetry/call-trace";
import { tenantCallbacks } from "../telemetry/tenant-callbacks";

/**
 * Refusals without a known key (no key, an unknown one) write at most this many spend rows a
 * minute per isolate; the ones past it are counted and folded into the next row written (its
 * metadata says how many, and the metrics count them), so a client spraying bad keys cannot flood D1.
 */
export const ANONYMOUS_REFUSAL_ROWS_PER_MINUTE = 60;

let windowStart = 0;
let written = 0;
let suppressed = 0;

/** How many refusals the next anonymous row stands for (0: write none, this one is only counted). */
function admitAnonymous(now: number): number {
  if (now - windowStart >= 60_000) {
    windowStart = now;
    written = 0;
  }
  if (written >= ANONYMOUS_REFUSAL_ROWS_PER_MINUTE) {
    suppressed++;
    return 0;
  }
  written++;
  const count = 1 + suppressed;
  suppressed = 0;
  return count;
}

/** For tests: `fresh` forgets everything; otherwise only the current minute ends (refusals counted past the limit are kept). */
export function resetRefusalWindow(fresh = true): void {
  windowStart = 0;
  written = 0;
  if (fresh) suppressed = 0;
}

/** The model routes as the gateway's spend rows name them (the metrics map them to LiteLLM's paths). */
export function routeName(path: string): string {
  const p = path
    .replace(/^\/openai\/v1\//, "/")
    .replace(/^\/v1\//, "/")
    .replace(/^\//, "");
  if (p === "chat/completions" || p.endsWith("/chat/completions")) return "chat";
  if (p.startsWith("openai/deployments/")) return p.split("/").slice(3).join("/");
  return p;
}

export interface Refusal {
  env: Env;
  config: ResolvedConfig;
  waitUntil(p: Promise<unknown>): void;
  requestId: string;
  clientHeaders: Headers;
  /** `chat`, `messages`, ... (see routeName). */
  route: string;
  /** The configured model group the call asked for; empty when not known or not configured (labels stay bounded). */
  model: string;
  /** Who called, when the key was recognised. */
  principal?: Principal;
  /** A known key refused before it became a principal (an expired one). */
  key?: { token: string; keyAlias: string | null; teamId: string | null; metadata: Record<string, unknown> };
  start: number;
  error: GatewayError;
}

/**
 * A model call refused before any upstream was tried (401 key, 403 model, 429 limit, 400 budget,
 * 503 guard): one failure row (cost 0, the status and error code, the key's hash when known, never
 * the secret), which reaches the spend log and LiteLLM's failed/total request metrics, as LiteLLM's
 * post_call_failure_hook counts them.
 */
export function recordRefusal(r: Refusal): void {
  const { config, principal } = r;
  if (config.settings.disableSpendLogs) return;
  const key = principal?.kind === "key" ? principal.key : r.key;
  const anonymous = !principal && !key;
  const count = anonymous ? admitAnonymous(Date.now()) : 1;
  if (!count) return;
  const code = r.error.code ?? r.error.type;
  const event: SpendEvent = {
    request_id: r.requestId,
    api_key: principal?.kind === "master" ? "master" : (key?.token ?? ""),
    team_id: key?.teamId ?? null,
    model: r.model,
    model_group: r.model,
    provider: "",
    deployment: "",
    prompt_tokens: 0,
    completion_tokens: 0,
    spend: 0,
    status: "failure",
    start_time: r.start,
    end_time: Date.now(),
    metadata: { route: r.route, error: code, http_status: r.error.status, refused: true, ...(count > 1 ? { suppressed_refusals: count - 1 } : {}) },
  };
  const trace = buildTrace({
    settings: config.settings.telemetry,
    tenant: principal?.kind === "key" ? tenantCallbacks(principal.key, principal.via === undefined, false) : undefined,
    headers: r.clientHeaders,
    key: key ? { keyAlias: key.keyAlias, metadata: key.metadata } : null,
    request: {},
    route: r.route,
    status: "failure",
    deployment: () => undefined,
    attempts: [],
    timings: [],
    usage: null,
    error: { type: code, status: r.error.status },
  });
  if (trace) {
    if (count > 1) trace.count = count;
    event.trace = trace;
  }
  recordSpend(r.env, { waitUntil: r.waitUntil }, event);
}
