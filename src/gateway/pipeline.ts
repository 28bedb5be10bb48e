import type { Deployment } from "../config/deployment";
import { GatewayError, invalidRequest, modelNotFound } from "../http/errors";
import { costHeaders, gatewayHeaders, providerHeaders } from "../http/gateway-headers";
import { admit } from "../limits/admission";
import { providerFor } from "../providers/registry";
import type { TranslatedResponse } from "../providers/types";
import { type AttemptRecord, execute, RouteFailure } from "../router/execute";
import { accessGroupsOf, resolveGroup } from "../router/groups";
import { isolateHealth } from "../router/health";
import { chooseByUsage, settleUsage } from "../router/usage";
import { applyAliases } from "../identity/aliases";
import { priceCall } from "../spend/pricing";
import { recordSpend } from "../spend/sender";
import { buildTrace } from "../telemetry/call-trace";
import { spendEvent } from "./record";
import { reservation } from "./reservation";
import { type Finish, streamSpend } from "./stream-spend";
import type { Attempt, CallContext, CallInfo, ModelCall, Outcome } from "./types";

/**
 * The one path of every model call, whatever its surface:
 * admit (guards, in parallel) -> hooks.lookup (cache) -> route (retries, fallbacks, cooldowns)
 * -> the surface's attempt (adapter request, fetch, answer or stream) -> respond,
 * and, exactly once whatever happens, finish: settle the guards and record the spend event.
 */
export async function callModel(cx: CallContext, spec: ModelCall): Promise<Response> {
  const start = Date.now();
  const { config, principal, env } = cx;
  // LiteLLM's general_settings.enforce_user_param: every model call names its end user (OpenAI's
  // `user`; Anthropic's metadata.user_id), checked before anything is admitted or charged.
  if (config.settings.enforceUserParam && !spec.request.user) {
    throw invalidRequest("'user' param not passed in. 'enforce_user_param'=True. Send the end user's id as `user` (Anthropic: metadata.user_id).", "user", "missing_user_param");
  }
  // A key's (or its team's) model aliases name the group actually called: every guard sees that one.
  const model = applyAliases(principal, spec.request.model);
  const request = model === spec.request.model ? spec.request : { ...spec.request, model };
  const group = resolveGroup(config, model);
  if (!group) throw modelNotFound(model);
  // A key, team, user or org whose `models` names one of the group's access groups may call it.
  const groups = accessGroupsOf(group.deployments);
  // The end user a verified token names wins over the request's own `user` field.
  const endUser = (principal.kind === "key" ? principal.endUser : undefined) ?? request.user;
  const reserve = reservation(config, principal, model, spec.estimate, endUser);
  const admitted = await admit(env, config, principal, { id: cx.requestId, model, reserve, user: endUser, ...(groups.length ? { groups } : {}) }, cx.waitUntil);
  const hooks = cx.hooks;
  const info: CallInfo = { route: spec.route, model, stream: spec.stream, requestId: cx.requestId, principal, body: spec.body };
  const headers = new Headers(admitted.headers);
  let dep: Deployment | undefined;
  let attempts: AttemptRecord[] = [];
  let finished = false;
  /** When each attempt ran, for its span. */
  const timings: Array<{ start: number; end: number }> = [];

  const finish: Finish = (status, usage, cost, extra = {}) => {
    if (finished) return;
    finished = true;
    // A cache hit counts as a request, not as tokens (nothing was generated for it).
    const settled = admitted.settle(cost ?? 0, extra.cache_hit ? 0 : (usage?.total_tokens ?? 0));
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
    delete extra.first_token_at;
    // The spend row names the end user whose guard was charged (a token's end user wins over `user`).
    const logged = endUser === request.user ? request : { ...request, user: endUser };
    const event = spendEvent(cx, { route: spec.route, stream: spec.stream, request: logged, start, dep, attempts }, status, usage, cost, extra);
    // What the callbacks need, only when a callback runs for this outcome.
    const trace = buildTrace({
      settings: config.settings.telemetry,
      headers: cx.clientHeaders,
      key: principal.kind === "key" ? principal.key : null,
      request: (spec.body ?? spec.request) as Record<string, unknown>,
      route: spec.route,
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
  let current: Attempt | undefined;
  const run = (d: Deployment): Promise<Outcome> => {
    current = {
      dep: d,
      provider: providerFor(d.provider)!,
      ctx,
      timeoutMs: (spec.stream ? d.streamTimeoutMs : undefined) ?? d.timeoutMs ?? config.settings.requestTimeoutMs,
      signal: cx.signal,
      clientHeaders: cx.clientHeaders,
    };
    const timing = { start: Date.now(), end: 0 };
    timings.push(timing);
    return spec.attempt(current).finally(() => (timing.end = Date.now()));
  };

  try {
    const hit = hooks?.lookup ? await hooks.lookup(info) : null;
    if (hit) for (const [k, v] of Object.entries(hit.headers ?? {})) headers.set(k, v);
    if (hit?.answer) return respond(cx, headers, hit.answer, 0, finish, { cache_hit: true });
    const routed = await execute(
      {
        config,
        requested: model,
        requestFallbacks: request.fallbacks,
        numRetries: request.num_retries,
        health: isolateHealth,
        choose: config.router.strategy === "usage-based-routing" ? (candidates) => chooseByUsage(env, candidates) : undefined,
        signal: cx.signal,
        onAttempt: hooks?.attempt ? (r) => hooks.attempt!(info, r) : undefined,
      },
      run,
    );
    dep = routed.dep;
    attempts = routed.attempts;
    gatewayHeaders(headers, routed.dep, routed.attempts.length, routed.fallbacks);
    const a = current!;
    const outcome = routed.value;
    if (a.upstreamHeaders) providerHeaders(headers, a.upstreamHeaders);
    if (outcome.kind === "answer") {
      const answer = outcome.answer;
      const cost = answer.cost !== undefined ? answer.cost : answer.usage ? priceCall(a.dep, answer.usage) : null;
      const response = respond(cx, headers, answer, cost, finish, { response: answer.json });
      hooks?.store?.(info, answer);
      return response;
    }
    if (outcome.kind === "bytes") {
      finish("success", outcome.usage, outcome.cost);
      headers.set("content-type", outcome.upstream.headers.get("content-type") ?? "application/octet-stream");
      return new Response(outcome.upstream.body, { status: 200, headers });
    }
    const spend = streamSpend(cx.waitUntil, a.dep, () => spec.estimate().promptTokens, finish);
    const body = outcome.render(outcome.upstream.body!, spend);
    headers.set("content-type", "text/event-stream; charset=utf-8");
    headers.set("cache-control", "no-cache");
    return new Response(body, { status: 200, headers });
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
    const merged: Record<string, string> = {};
    headers.forEach((v, k) => {
      merged[k] = v;
    });
    const err = e.error;
    throw new GatewayError(err.status, err.message, err.type, err.code, err.param, { ...merged, ...err.headers });
  }
}

/** A complete answer: cost headers, the spend event, the body. */
function respond(cx: CallContext, headers: Headers, answer: TranslatedResponse, cost: number | null, finish: Finish, extra: Record<string, unknown>): Response {
  const principal = cx.principal;
  costHeaders(headers, cost, principal.kind === "key" ? principal.key.spend + (cost ?? 0) : undefined);
  // The answer is kept only when store_prompts_in_spend_logs is on (the event builder drops it otherwise).
  finish("success", answer.usage, cost, extra);
  headers.set("content-type", answer.contentType ?? "application/json");
  return new Response(answer.json, { status: 200, headers });
}
