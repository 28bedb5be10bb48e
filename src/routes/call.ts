import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { Deployment } from "../config/deployment";
import { GatewayError, modelNotFound } from "../http/errors";
import { costHeaders, gatewayHeaders, providerHeaders } from "../http/gateway-headers";
import { admitCall } from "../limits/guard-client";
import { requestLimitHeaders } from "../limits/rate-headers";
import { providerFor } from "../providers/registry";
import type { AdapterContext, ProviderEntry, TranslatedResponse, Usage } from "../providers/types";
import { pickDeployment } from "../router/select";
import { callUpstream, readBody } from "../router/upstream";
import type { SpendEvent } from "../spend/event";
import { priceCall } from "../spend/pricing";
import { recordSpend } from "../spend/sender";

const MAX_METADATA_CHARS = 2000;

/** What every model call shares: who, which deployment, the adapter context, headers, spend. */
export interface Call {
  dep: Deployment;
  provider: ProviderEntry;
  ctx: AdapterContext;
  headers: Headers;
  timeoutMs: number | undefined;
  /** Records the call's spend event (off the response path). */
  spend(status: string, usage: Usage | null, cost: number | null, extra?: Record<string, unknown>): void;
  /** Adds the call's headers to an error on its way out (and records the failure). */
  fail(e: unknown): unknown;
}

interface CallRequest {
  model: string;
  user?: string;
  metadata?: Record<string, unknown> | null;
  drop_params?: boolean;
}

function spendMetadata(req: CallRequest, extra: Record<string, unknown>): Record<string, unknown> {
  const meta: Record<string, unknown> = { ...extra };
  if (req.user) meta.user = req.user;
  const tags = req.metadata?.tags;
  if (Array.isArray(tags)) meta.tags = tags.filter((t) => typeof t === "string").slice(0, 20);
  return JSON.stringify(meta).length > MAX_METADATA_CHARS ? { truncated: true } : meta;
}

/** Finds the model group (404), admits the key (401/403/429), and picks a deployment. */
export async function startCall(c: Context<AppEnv>, req: CallRequest, opts: { stream: boolean; includeUsage: boolean; route: string }): Promise<Call> {
  const start = Date.now();
  const config = c.get("config");
  const principal = c.get("principal");
  const group = config.groups.get(req.model);
  if (!group) throw modelNotFound(req.model);
  const rpm = principal.kind === "key" ? await admitCall(c.env, principal.key, req.model) : undefined;
  const dep = pickDeployment(group);
  const provider = providerFor(dep.provider)!;
  const ctx: AdapterContext = {
    requestId: c.get("requestId"),
    created: Math.floor(start / 1000),
    includeUsage: opts.includeUsage,
    dropParams: req.drop_params ?? config.settings.dropParams,
  };
  const headers = new Headers();
  gatewayHeaders(headers, dep, 1);
  if (rpm) for (const [k, v] of Object.entries(requestLimitHeaders(rpm))) headers.set(k, v);
  const apiKey = principal.kind === "key" ? principal.key.token : "master";

  const logSpend = !config.settings.disableSpendLogs;
  const spend: Call["spend"] = (status, usage, cost, extra = {}) => {
    if (!logSpend) return;
    const event: SpendEvent = {
      request_id: ctx.requestId,
      api_key: apiKey,
      model: dep.model,
      model_group: req.model,
      provider: dep.provider,
      deployment: dep.id,
      prompt_tokens: usage?.prompt_tokens ?? 0,
      completion_tokens: usage?.completion_tokens ?? 0,
      spend: cost,
      status,
      start_time: start,
      end_time: Date.now(),
      metadata: spendMetadata(req, { route: opts.route, stream: opts.stream, ...extra }),
    };
    recordSpend(c.env, c.executionCtx, event);
  };
  const fail = (e: unknown): unknown => {
    if (!(e instanceof GatewayError)) return e;
    spend("failure", null, 0, { error: e.code ?? e.type, http_status: e.status });
    const merged: Record<string, string> = {};
    headers.forEach((v, k) => (merged[k] = v));
    return new GatewayError(e.status, e.message, e.type, e.code, e.param, { ...merged, ...e.headers });
  };
  const timeoutMs = (opts.stream ? dep.streamTimeoutMs : undefined) ?? dep.timeoutMs ?? config.settings.requestTimeoutMs;
  return { dep, provider, ctx, headers, timeoutMs, spend, fail };
}

/** Sends the upstream request; an error answer is mapped by `mapError` and thrown. */
export async function sendUpstream(
  c: Context<AppEnv>,
  call: Call,
  build: () => Request | Promise<Request>,
  mapError: (status: number, text: string, headers: Headers) => GatewayError,
): Promise<{ response: Response; done: () => void }> {
  let sent;
  try {
    sent = await callUpstream(await build(), call.timeoutMs, c.req.raw.signal);
  } catch (e) {
    throw call.fail(e);
  }
  providerHeaders(call.headers, sent.response.headers);
  if (!sent.response.ok) {
    const text = await sent.response.text().catch(() => "");
    sent.done();
    throw call.fail(mapError(sent.response.status, text, sent.response.headers));
  }
  return sent;
}

/** A non-streamed call's end: read, translate, price, record, answer with the cost headers. */
export async function finishCall(
  c: Context<AppEnv>,
  call: Call,
  sent: { response: Response; done: () => void },
  translate: (text: string) => TranslatedResponse,
): Promise<Response> {
  let translated: TranslatedResponse;
  try {
    translated = translate(await readBody(sent.response, call.timeoutMs));
  } catch (e) {
    throw call.fail(e);
  } finally {
    sent.done();
  }
  const principal = c.get("principal");
  const cost = translated.usage ? priceCall(call.dep, translated.usage) : null;
  costHeaders(call.headers, cost, principal.kind === "key" ? principal.key.spend + (cost ?? 0) : undefined);
  call.spend("success", translated.usage, cost);
  call.headers.set("content-type", "application/json");
  return new Response(translated.json, { status: 200, headers: call.headers });
}
