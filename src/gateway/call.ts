import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { ResolvedConfig } from "../config/resolve";
import type { Principal } from "../http/auth";
import type { Deployment } from "../config/deployment";
import { GatewayError, modelNotFound } from "../http/errors";
import { costHeaders, gatewayHeaders, providerHeaders } from "../http/gateway-headers";
import { admit } from "../limits/admission";
import { providerFor } from "../providers/registry";
import type { AdapterContext, ProviderEntry, TranslatedResponse, Usage } from "../providers/types";
import { execute, RouteFailure, type AttemptRecord } from "../router/execute";
import { resolveGroup } from "../router/groups";
import { isolateHealth } from "../router/health";
import { chooseByUsage, settleUsage } from "../router/usage";
import { callUpstream, readBody } from "./upstream";
import type { SpendEvent } from "../spend/event";
import { priceCall } from "../spend/pricing";
import { recordSpend } from "../spend/sender";
import { buildTrace } from "../telemetry/call-trace"; // observability (issue 14)

const MAX_METADATA_CHARS = 4000;
/** With general_settings.store_prompts_in_spend_logs: how much of the request and the answer a row keeps. */
const MAX_STORED_CHARS = 8000;

const clip = (text: string) => (text.length > MAX_STORED_CHARS ? `${text.slice(0, MAX_STORED_CHARS)}...[truncated]` : text);

/** The fields of a model request the gateway itself reads. */
export interface CallRequest {
  model: string;
  user?: string;
  metadata?: Record<string, unknown> | null;
  drop_params?: boolean;
  fallbacks?: string[];
  num_retries?: number;
}

/** One attempt on one deployment. */
export interface Attempt {
  dep: Deployment;
  provider: ProviderEntry;
  ctx: AdapterContext;
  timeoutMs: number | undefined;
  /** The upstream's rate-limit headers, passed on to the client. */
  upstreamHeaders?: Headers;
}

/** A routed call: the attempt that answered, and everything needed to finish it. */
export interface Call extends Attempt {
  headers: Headers;
  attempts: AttemptRecord[];
  /** Records the call's spend event (off the response path). */
  spend(status: string, usage: Usage | null, cost: number | null, extra?: Record<string, unknown>): void;
}

function spendMetadata(req: CallRequest, extra: Record<string, unknown>, storePrompts: boolean): Record<string, unknown> {
  const stored = storePrompts ? { request: clip(JSON.stringify(req)), ...(typeof extra.response === "string" ? { response: clip(extra.response) } : {}) } : {};
  delete extra.response;
  const meta: Record<string, unknown> = { ...extra };
  if (req.user) meta.user = req.user;
  const tags = req.metadata?.tags;
  if (Array.isArray(tags)) meta.tags = tags.filter((t) => typeof t === "string").slice(0, 20);
  if (JSON.stringify(meta).length <= MAX_METADATA_CHARS) return { ...meta, ...stored };
  return { ...meta, attempts: (meta.attempts as unknown[] | undefined)?.slice(-5), truncated: true, ...stored };
}

interface CallOptions {
  stream: boolean;
  includeUsage: boolean;
  route: string;
  /** For budget reservations: the prompt's size estimate and the most the completion may be. */
  estimate: () => { promptTokens: number; maxCompletionTokens?: number };
}

/**
 * The most this call can cost, held against budgets until it settles: the priciest deployment
 * of the group for the estimated prompt and the completion limit. Only computed when a budget
 * can apply (0 otherwise: an unpriced model cannot be budgeted).
 */
function reservation(config: ResolvedConfig, principal: Principal, model: string, opts: CallOptions): number {
  const budgeted = config.settings.modelBudgets.has(model) || (principal.kind === "key" && (principal.key.maxBudget != null || principal.key.modelMaxBudget != null || !!principal.key.teamId));
  if (!budgeted) return 0;
  const { promptTokens, maxCompletionTokens } = opts.estimate();
  const completion = maxCompletionTokens ?? config.settings.reservedCompletionTokens;
  let most = 0;
  for (const d of resolveGroup(config, model)?.deployments ?? []) {
    const cost = priceCall(d, { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion });
    if (cost !== null && cost > most) most = cost;
  }
  return most;
}

/**
 * Admits the call (404 for an unknown model, then the key's guard: 401/403/429) and routes it:
 * `run` makes one attempt on one deployment and throws GatewayError when it fails; the router
 * retries, cools and falls back. A call nothing could serve is recorded and its last error thrown.
 */
export async function routeCall<T>(c: Context<AppEnv>, req: CallRequest, opts: CallOptions, run: (a: Attempt) => Promise<T>): Promise<{ value: T; call: Call }> {
  const start = Date.now();
  const config = c.get("config");
  const principal = c.get("principal");
  if (!resolveGroup(config, req.model)) throw modelNotFound(req.model);
  const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  const admitted = await admit(c.env, config, principal, { id: c.get("requestId"), model: req.model, reserve: reservation(config, principal, req.model, opts) }, waitUntil);
  const apiKey = principal.kind === "key" ? principal.key.token : "master";
  const ctx: AdapterContext = {
    requestId: c.get("requestId"),
    created: Math.floor(start / 1000),
    includeUsage: opts.includeUsage,
    dropParams: req.drop_params ?? config.settings.dropParams,
  };
  const headers = new Headers(admitted.headers);

  const logSpend = !config.settings.disableSpendLogs;
  let dep: Deployment | undefined;
  let attempts: AttemptRecord[] = [];
  const timings: Array<{ start: number; end: number }> = []; // observability (issue 14): when each attempt ran
  const spend: Call["spend"] = (status, usage, cost, extra = {}) => {
    const settled = admitted.settle(cost ?? 0, usage?.total_tokens ?? 0);
    if (settled) waitUntil(settled);
    if (dep && usage && config.router.strategy === "usage-based-routing") {
      const settled = settleUsage(c.env, dep, usage.total_tokens);
      if (settled) c.executionCtx.waitUntil(settled.catch(() => {}));
    }
    if (!logSpend) return;
    // observability (issue 14): read before spendMetadata drops the answer; ttft stays out of the row
    const responseJson = typeof extra.response === "string" ? extra.response : undefined;
    const ttftMs = typeof extra.first_token_at === "number" ? extra.first_token_at - (timings.at(-1)?.start ?? start) : undefined;
    delete extra.first_token_at;
    const event: SpendEvent = {
      request_id: ctx.requestId,
      api_key: apiKey,
      team_id: principal.kind === "key" ? principal.key.teamId : null,
      model: dep?.model ?? req.model,
      model_group: req.model,
      provider: dep?.provider ?? "",
      deployment: dep?.id ?? "",
      prompt_tokens: usage?.prompt_tokens ?? 0,
      completion_tokens: usage?.completion_tokens ?? 0,
      spend: cost,
      status,
      start_time: start,
      end_time: Date.now(),
      metadata: spendMetadata(req, { route: opts.route, stream: opts.stream, ...(attempts.length > 1 ? { attempts } : {}), ...extra }, config.settings.storePrompts),
    };
    // observability (issue 14): what the callbacks need, only when a callback runs for this outcome
    const trace = buildTrace({
      settings: config.settings.telemetry,
      headers: c.req.raw.headers,
      key: principal.kind === "key" ? principal.key : null,
      request: req as unknown as Record<string, unknown>,
      route: opts.route,
      status,
      deployment: (id) => config.deployments.find((d) => d.id === id),
      attempts,
      timings,
      usage,
      responseJson,
      ttftMs,
      error: typeof extra.error === "string" ? { type: extra.error, status: typeof extra.http_status === "number" ? extra.http_status : 500 } : undefined,
    });
    if (trace) event.trace = trace;
    recordSpend(c.env, c.executionCtx, event);
  };

  const attemptOf = (d: Deployment): Attempt => ({
    dep: d,
    provider: providerFor(d.provider)!,
    ctx,
    timeoutMs: (opts.stream ? d.streamTimeoutMs : undefined) ?? d.timeoutMs ?? config.settings.requestTimeoutMs,
  });
  try {
    const routed = await execute(
      {
        config,
        requested: req.model,
        requestFallbacks: req.fallbacks,
        numRetries: req.num_retries,
        health: isolateHealth,
        choose: config.router.strategy === "usage-based-routing" ? (candidates) => chooseByUsage(c.env, candidates) : undefined,
      },
      (d) => {
        // observability (issue 14): each attempt's start and end, for its span
        const timing = { start: Date.now(), end: 0 };
        timings.push(timing);
        return run(attemptOf(d)).finally(() => (timing.end = Date.now()));
      },
    );
    dep = routed.dep;
    attempts = routed.attempts;
    gatewayHeaders(headers, routed.dep, routed.attempts.length, routed.fallbacks);
    return { value: routed.value, call: { ...attemptOf(routed.dep), headers, attempts, spend } };
  } catch (e) {
    if (!(e instanceof RouteFailure)) throw e;
    attempts = e.attempts;
    const lastDep = e.attempts.at(-1)?.deployment;
    dep = lastDep ? config.deployments.find((d) => d.id === lastDep) : undefined;
    spend("failure", null, 0, { error: e.error.code ?? e.error.type, http_status: e.error.status });
    if (dep) gatewayHeaders(headers, dep, e.attempts.length, e.fallbacks);
    const merged: Record<string, string> = {};
    headers.forEach((v, k) => (merged[k] = v));
    const err = e.error;
    throw new GatewayError(err.status, err.message, err.type, err.code, err.param, { ...merged, ...err.headers });
  }
}

/** Sends one attempt's upstream request; an error answer is mapped by `mapError` and thrown. */
export async function sendUpstream(
  c: Context<AppEnv>,
  a: Attempt,
  build: () => Request | Promise<Request>,
  mapError: (status: number, text: string, headers: Headers) => GatewayError,
): Promise<{ response: Response; done: () => void }> {
  const sent = await callUpstream(await build(), a.timeoutMs);
  a.upstreamHeaders = sent.response.headers;
  if (!sent.response.ok) {
    const text = await sent.response.text().catch(() => "");
    sent.done();
    const err = mapError(sent.response.status, text, sent.response.headers);
    const passed = new Headers();
    providerHeaders(passed, sent.response.headers);
    passed.forEach((v, k) => (err.headers[k] = v));
    throw err;
  }
  return sent;
}

/** One non-streamed attempt: send, read, translate (an unreadable answer is a 502, and retryable). */
export async function fetchTranslated(
  c: Context<AppEnv>,
  a: Attempt,
  build: () => Request | Promise<Request>,
  mapError: (status: number, text: string, headers: Headers) => GatewayError,
  translate: (text: string) => TranslatedResponse,
): Promise<TranslatedResponse> {
  const sent = await sendUpstream(c, a, build, mapError);
  try {
    return translate(await readBody(sent.response, a.timeoutMs));
  } finally {
    sent.done();
  }
}

/** A non-streamed call's answer: price, record, respond with the cost headers. */
export function answer(c: Context<AppEnv>, call: Call, translated: TranslatedResponse): Response {
  const principal = c.get("principal");
  const cost = translated.cost !== undefined ? translated.cost : translated.usage ? priceCall(call.dep, translated.usage) : null;
  if (call.upstreamHeaders) providerHeaders(call.headers, call.upstreamHeaders);
  costHeaders(call.headers, cost, principal.kind === "key" ? principal.key.spend + (cost ?? 0) : undefined);
  // The answer is kept only when store_prompts_in_spend_logs is on (spendMetadata drops it otherwise).
  call.spend("success", translated.usage, cost, { response: translated.json });
  call.headers.set("content-type", translated.contentType ?? "application/json");
  return new Response(translated.json, { status: 200, headers: call.headers });
}
