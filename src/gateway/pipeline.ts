import type { TelemetrySettings } from "../config/callbacks";
import type { Deployment } from "../config/deployment";
import { GatewayError, invalidRequest, modelNotFound } from "../http/errors";
import { callHeaders, costHeaders, gatewayHeaders, type HeaderRecord, providerHeaders } from "../http/gateway-headers";
import { reloadKey } from "../http/auth";
import { admit } from "../limits/admission";
import { StaleKey } from "../limits/guard-client";
import { providerFor } from "../providers/registry";
import type { TranslatedResponse } from "../providers/types";
import { type AttemptRecord, execute, reachableFallbacks, RouteFailure } from "../router/execute";
import { accessGroupsOf, canonicalModel, resolveGroup } from "../router/groups";
import { isolateHealth } from "../router/health";
import { chooseByUsage, settleUsage } from "../router/usage";
import { applyAliases } from "../identity/aliases";
import { priceCall } from "../spend/pricing";
import { recordSpend } from "../spend/sender";
import { buildTrace } from "../telemetry/call-trace";
import { tenantCallbacks } from "../telemetry/tenant-callbacks";
import { upstreamTraceparent } from "../telemetry/ids";
import { shareCooldown, syncHealth } from "./health-sync";
import { apiBaseOrigin } from "./api-base";
import { callControls } from "./controls";
import { mockFailure, mockText } from "./mock";
import { spendEvent } from "./record";
import { recordRefusal } from "./refusal";
import { reservation } from "./reservation";
import { type Finish, streamSpend } from "./stream-spend";
import type { StreamEnd } from "../hooks/types";
import type { Attempt, CallContext, CallInfo, ModelCall, Outcome } from "./types";

/**
 * The one path of every model call, whatever its surface:
 * admit (guards, in parallel) -> hooks.lookup (cache) -> route (retries, fallbacks, cooldowns)
 * -> the surface's attempt (adapter request, fetch, answer or stream) -> respond,
 * and, exactly once whatever happens, finish: settle the guards and record the spend event.
 */
export async function callModel(cx: CallContext, spec: ModelCall, reloaded = false): Promise<Response> {
  const start = Date.now();
  const { config, principal, env } = cx;
  syncHealth(env, config, cx.waitUntil);
  // A key's (or its team's) model aliases name the group actually called: every guard sees that one.
  const model = applyAliases(principal, spec.request.model);
  const request = model === spec.request.model ? spec.request : { ...spec.request, model };
  const resolved = resolveGroup(config, model);
  if (!resolved) throw modelNotFound(model);
  const controls = callControls(spec.body, cx.clientHeaders, model, request);
  // The end user a verified token names wins over the request's own (`user`, x-litellm-customer-id).
  const endUser = (principal.kind === "key" ? principal.endUser : undefined) ?? controls.endUser;
  controls.endUser = endUser;
  // LiteLLM's general_settings.enforce_user_param: every model call names its end user (OpenAI's
  // `user`; Anthropic's metadata.user_id), checked before anything is admitted or charged.
  if (config.settings.enforceUserParam && !endUser) {
    throw invalidRequest("'user' param not passed in. 'enforce_user_param'=True. Send the end user's id as `user` (Anthropic: metadata.user_id).", "user", "missing_user_param");
  }
  const mocked = mockText(controls);
  if (mocked !== undefined && !spec.mock) throw invalidRequest(`mock_response is supported on /v1/chat/completions only, not on ${spec.route}.`, "mock_response");
  // A model_group_alias is admitted and limited as the group it names (a model list may name either);
  // a key, team, user or org whose `models` names one of the group's access groups may call it.
  const group = canonicalModel(config, model);
  const alias = group === model ? undefined : model;
  const groups = accessGroupsOf(resolved.deployments);
  const reserve = reservation(config, principal, group, spec, endUser, () => reachableFallbacks(config, model, controls.fallbacks));
  let admitted: Awaited<ReturnType<typeof admit>>;
  try {
    admitted = await admit(env, config, principal, { id: cx.requestId, model: group, alias, reserve, user: endUser, ...(groups.length ? { groups } : {}) }, cx.waitUntil);
  } catch (e) {
    // Another isolate changed the key (its team, user, models) after this one cached it: read it again, once.
    if (e instanceof StaleKey && !reloaded && principal.kind === "key") return callModel({ ...cx, principal: await reloadKey(env, principal.key.token) }, spec, true);
    // Refused at admission (model not allowed, rate limit, budget, blocked key, guard unavailable): a failure row, as LiteLLM logs it.
    // Not for a batch line: a refused line runs again under the same request id (pacing), whose row must stay free
    // for the run that answers; the refusal shows in the batch's own files.
    if (e instanceof GatewayError && !cx.batch) recordRefusal({ ...cx, route: spec.route, model: group, start, error: e });
    throw e;
  }
  /** The group the call ends in (a fallback's, once one answers): its per-model counts and budget are charged. */
  let chargedGroup = group;
  const hooks = cx.hooks;
  const info: CallInfo = { route: spec.route, model, stream: spec.stream, requestId: cx.requestId, principal, body: spec.body };
  const headers: HeaderRecord = { ...admitted.headers };
  let dep: Deployment | undefined;
  let attempts: AttemptRecord[] = [];
  let finished = false;
  /** When each attempt ran, for its span. */
  const timings: Array<{ start: number; end: number }> = [];
  /** LiteLLM's x-litellm-* call headers, set as the response (or its stream's first byte) goes out. */
  const facts = (group: string, served?: Deployment) =>
    callHeaders(headers, {
      callId: cx.requestId,
      group,
      apiBase: served && mocked === undefined ? apiBaseOrigin(served) : undefined,
      start,
      upstreamMs: timings.reduce((sum, t) => sum + Math.max(0, (t.end || Date.now()) - t.start), 0),
      key: principal.kind === "key" ? principal.key : undefined,
    });

  /** Told how a streamed call ended (the cache stores a stream only when it succeeded). */
  let onStreamEnd: ((end: StreamEnd) => void) | undefined;
  const finish: Finish = (status, usage, cost, extra = {}) => {
    if (finished) return;
    finished = true;
    onStreamEnd?.({ ok: status === "success", usage: extra.usage === "estimated" ? null : usage, cost });
    // A cache hit counts as a request, not as tokens (nothing was generated for it).
    const settled = admitted.settle(cost ?? 0, extra.cache_hit ? 0 : (usage?.total_tokens ?? 0), chargedGroup);
    if (settled) cx.waitUntil(settled);
    if (dep && usage && config.router.strategy === "usage-based-routing") {
      const counted = settleUsage(env, dep, usage.total_tokens);
      if (counted) cx.waitUntil(counted.catch(() => {}));
    }
    const logSpend = !config.settings.disableSpendLogs;
    if (!logSpend && !hooks?.finish) return;
    // Read before the event builder drops the answer; the time to first token stays out of the row.
    const responseJson = typeof extra.response === "string" ? extra.response : undefined;
    const ttftMs = typeof extra.first_token_at === "number" ? extra.first_token_at - (timings.at(-1)?.start ?? start) : undefined;
    const streamText = typeof extra.answer_text === "string" ? extra.answer_text : undefined;
    delete extra.first_token_at;
    delete extra.answer_text;
    const event = spendEvent(cx, { route: spec.route, stream: spec.stream, request, controls, start, dep, attempts }, status, usage, cost, extra);
    // What the callbacks need, only when a callback runs for this outcome.
    const trace = buildTrace({
      settings: config.settings.telemetry,
      tenant: principal.kind === "key" ? tenantCallbacks(principal.key, principal.via === undefined, status === "success") : undefined,
      headers: cx.clientHeaders,
      key: principal.kind === "key" ? principal.key : null,
      // The end user as the call named it (x-litellm-customer-id wins over the body's user).
      request: { ...((spec.body ?? spec.request) as Record<string, unknown>), ...(controls.endUser ? { user: controls.endUser } : {}) },
      route: spec.route,
      status,
      deployment: (id) => config.deployments.find((d) => d.id === id),
      attempts,
      timings,
      usage,
      responseJson,
      responseId: event.response_id ?? undefined,
      streamText,
      ttftMs,
      error: typeof extra.error === "string" ? { type: extra.error, status: typeof extra.http_status === "number" ? extra.http_status : 500 } : undefined,
    });
    if (trace) event.trace = trace;
    hooks?.finish?.(info, event);
    if (logSpend) recordSpend(env, cx, event);
  };

  const ctx = {
    requestId: cx.requestId,
    created: Math.floor(start / 1000),
    includeUsage: spec.includeUsage,
    dropParams: request.drop_params ?? config.settings.dropParams,
    imageLimits: config.settings.imageLimits,
  };
  // Trace context goes upstream when the call is traced (an OTel-based callback) or the caller sent one.
  const callerTrace = cx.clientHeaders.get("traceparent");
  const tracing =
    !!callerTrace ||
    config.settings.telemetry.onSuccess.some(isOtelSink) ||
    config.settings.telemetry.onFailure.some(isOtelSink) ||
    (principal.kind === "key" && tenantCallbacks(principal.key, principal.via === undefined, true).some(isOtelTenantSink));
  let current: Attempt | undefined;
  const run = (d: Deployment): Promise<Outcome> => {
    current = {
      dep: d,
      provider: providerFor(d.provider)!,
      ctx,
      // The request's own timeouts (body or x-litellm-* headers) win over the deployment's, as in LiteLLM.
      timeoutMs: (spec.stream ? (controls.streamTimeoutMs ?? d.streamTimeoutMs) : undefined) ?? controls.timeoutMs ?? d.timeoutMs ?? config.settings.requestTimeoutMs,
      signal: cx.signal,
      clientHeaders: cx.clientHeaders,
      traceparent: tracing ? upstreamTraceparent(cx.requestId, timings.length, callerTrace ?? undefined, request.metadata?.trace_id) : undefined,
    };
    const timing = { start: Date.now(), end: 0 };
    timings.push(timing);
    const attempt = mocked !== undefined && spec.mock ? Promise.resolve(spec.mock(current, mocked)) : spec.attempt(current);
    return attempt.finally(() => (timing.end = Date.now()));
  };

  try {
    // A mocked call neither reads nor fills the response cache (the cache key leaves mock_* out).
    const hit = hooks?.lookup && mocked === undefined ? await hooks.lookup(info) : null;
    if (hit?.headers) Object.assign(headers, hit.headers);
    if (hit?.answer) {
      facts(model);
      const extra = { cache_hit: true, ...hit.extra };
      if (!hit.stream) return respond(cx, headers, hit.answer, 0, finish, extra);
      costHeaders(headers, 0, principal.kind === "key" ? principal.key.spend : undefined);
      finish("success", hit.answer.usage, 0, extra);
      return sseResponse(hit.stream, headers);
    }
    const routed = await execute(
      {
        config,
        requested: model,
        requestFallbacks: controls.fallbacks,
        numRetries: controls.numRetries,
        mockFailure: mockFailure(controls, model),
        mocked: mocked !== undefined,
        health: isolateHealth,
        choose: config.router.strategy === "usage-based-routing" ? (candidates) => chooseByUsage(env, candidates) : undefined,
        signal: cx.signal,
        // Each fallback group passes the same guards as the requested one (model lists, per-model limits, budgets).
        enter: (name) => {
          const target = canonicalModel(config, name);
          return admitted.extend(target, target === name ? undefined : name, accessGroupsOf(resolveGroup(config, name)?.deployments ?? []));
        },
        onAttempt: (r) => {
          if (r.cooldown_until) shareCooldown(env, r.deployment, r.cooldown_until, cx.waitUntil);
          hooks?.attempt?.(info, r);
        },
      },
      run,
    );
    dep = routed.dep;
    attempts = routed.attempts;
    chargedGroup = canonicalModel(config, routed.requested);
    gatewayHeaders(headers, routed.dep, routed.attempts.length, routed.fallbacks);
    facts(routed.group, routed.dep);
    const a = current!;
    const outcome = routed.value;
    if (a.upstreamHeaders) providerHeaders(headers, a.upstreamHeaders);
    if (outcome.kind === "answer") {
      const answer = outcome.answer;
      const cost = answer.cost !== undefined ? answer.cost : answer.usage ? priceCall(a.dep, answer.usage) : null;
      const response = respond(cx, headers, answer, cost, finish, { response: answer.json });
      if (mocked === undefined) hooks?.store?.(info, answer, cost);
      return response;
    }
    if (outcome.kind === "bytes") {
      finish("success", outcome.usage, outcome.cost);
      headers["content-type"] = outcome.upstream.headers.get("content-type") ?? "application/octet-stream";
      return new Response(outcome.upstream.body, { status: 200, headers });
    }
    const tenantLogs =
      principal.kind === "key" && (tenantCallbacks(principal.key, principal.via === undefined, true).length > 0 || tenantCallbacks(principal.key, principal.via === undefined, false).length > 0);
    const spend = streamSpend(cx.waitUntil, a.dep, () => spec.estimate().promptTokens, finish, exportsContent(config.settings.telemetry, tenantLogs));
    const body = outcome.render(outcome.upstream.body!, spend);
    if (!hooks?.storeStream || mocked !== undefined) return sseResponse(body, headers);
    const ended = new Promise<StreamEnd>((resolve) => (onStreamEnd = resolve));
    return sseResponse(hooks.storeStream(info, body, ended), headers);
  } catch (e) {
    if (!(e instanceof RouteFailure)) {
      // Whatever failed after admission, the guards get their reservation and lease back.
      finish("failure", null, 0, { error: e instanceof GatewayError ? (e.code ?? e.type) : "internal_error" });
      throw e;
    }
    attempts = e.attempts;
    const lastDep = e.attempts.at(-1)?.deployment;
    dep = lastDep ? config.deployments.find((d) => d.id === lastDep) : undefined;
    finish("failure", null, 0, { error: e.error.code ?? e.error.type, http_status: e.error.status });
    if (dep) gatewayHeaders(headers, dep, e.attempts.length, e.fallbacks);
    facts(model, dep);
    const err = e.error;
    throw new GatewayError(err.status, err.message, err.type, err.code, err.param, { ...headers, ...err.headers });
  }
}

const isOtelSink = (name: string) => name === "otel" || name === "langfuse_otel";
/** A key's or team's own OTel-based sink (`otel@team:<id>`, `langfuse_otel@key:<token>`). */
const isOtelTenantSink = (id: string) => id.startsWith("otel@") || id.startsWith("langfuse_otel@");

/** A streamed answer's text is kept for the trace only when message logging is on and a callback may export it. */
const exportsContent = (t: TelemetrySettings, tenant: boolean) => t.logMessages && (tenant || t.onSuccess.length > 0 || t.onFailure.length > 0);

function sseResponse(body: ReadableStream<Uint8Array>, headers: HeaderRecord): Response {
  headers["content-type"] = "text/event-stream; charset=utf-8";
  headers["cache-control"] = "no-cache";
  return new Response(body, { status: 200, headers });
}

/** A complete answer: cost headers, the spend event, the body. */
function respond(cx: CallContext, headers: HeaderRecord, answer: TranslatedResponse, cost: number | null, finish: Finish, extra: Record<string, unknown>): Response {
  const principal = cx.principal;
  costHeaders(headers, cost, principal.kind === "key" ? principal.key.spend + (cost ?? 0) : undefined);
  // The answer is kept only when store_prompts_in_spend_logs is on (the event builder drops it otherwise).
  finish("success", answer.usage, cost, extra);
  headers["content-type"] = answer.contentType ?? "application/json";
  return new Response(answer.json, { status: 200, headers });
}
