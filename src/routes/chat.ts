import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { GatewayError, modelNotFound } from "../http/errors";
import { costHeaders, gatewayHeaders, providerHeaders } from "../http/gateway-headers";
import { readJson } from "../http/json";
import { admitCall } from "../limits/guard-client";
import type { RateInfo } from "../limits/guard-state";
import { requestLimitHeaders } from "../limits/rate-headers";
import { providerFor } from "../providers/registry";
import type { AdapterContext, Usage } from "../providers/types";
import { pickDeployment } from "../router/select";
import { callUpstream, readBody } from "../router/upstream";
import { priceCall } from "../spend/pricing";
import { recordSpend } from "../spend/sender";
import type { SpendEvent } from "../spend/event";
import { parseChatRequest, type ChatRequest } from "./chat-schema";

const MAX_METADATA_CHARS = 2000;

function spendMetadata(req: ChatRequest, extra: Record<string, unknown>): Record<string, unknown> {
  const meta: Record<string, unknown> = { ...extra };
  if (req.user) meta.user = req.user;
  const tags = req.metadata?.tags;
  if (Array.isArray(tags)) meta.tags = tags.filter((t) => typeof t === "string").slice(0, 20);
  const text = JSON.stringify(meta);
  return text.length > MAX_METADATA_CHARS ? { truncated: true } : meta;
}

/** POST /v1/chat/completions: admit, route, translate, call, translate back, record spend. */
export async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
  const start = Date.now();
  const config = c.get("config");
  const principal = c.get("principal");
  const req = parseChatRequest(await readJson(c));
  const group = config.groups.get(req.model);
  if (!group) throw modelNotFound(req.model);

  let rpm: RateInfo | undefined;
  if (principal.kind === "key") rpm = await admitCall(c.env, principal.key, req.model);

  const dep = pickDeployment(group);
  const provider = providerFor(dep.provider)!;
  const stream = req.stream === true;
  const ctx: AdapterContext = {
    requestId: c.get("requestId"),
    created: Math.floor(start / 1000),
    includeUsage: stream && req.stream_options?.include_usage === true,
    dropParams: req.drop_params ?? config.settings.dropParams,
  };

  const apiKey = principal.kind === "key" ? principal.key.token : "master";
  const spend = (status: string, usage: Usage | null, cost: number | null, extra: Record<string, unknown> = {}) => {
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
      metadata: spendMetadata(req, { stream, ...extra }),
    };
    recordSpend(c.env, c.executionCtx, event);
  };

  const headers = new Headers();
  gatewayHeaders(headers, dep, 1);
  if (rpm) for (const [k, v] of Object.entries(requestLimitHeaders(rpm))) headers.set(k, v);

  const timeoutMs = (stream ? dep.streamTimeoutMs : undefined) ?? dep.timeoutMs ?? config.settings.requestTimeoutMs;
  let upstream: Response;
  let done: () => void;
  try {
    const request = await provider.chat.request(req, dep, ctx);
    ({ response: upstream, done } = await callUpstream(request, timeoutMs, c.req.raw.signal));
  } catch (e) {
    if (e instanceof GatewayError) spend("failure", null, 0, { error: e.code ?? e.type, http_status: e.status });
    throw withHeaders(e, headers);
  }
  providerHeaders(headers, upstream.headers);

  if (!upstream.ok) {
    const text = await upstream.text().catch(() => "");
    done();
    const err = provider.chat.error(upstream.status, text, upstream.headers, dep);
    spend("failure", null, 0, { error: err.code ?? err.type, http_status: err.status });
    throw withHeaders(err, headers);
  }

  if (stream) {
    done();
    if (!upstream.body) throw withHeaders(new GatewayError(502, "The upstream sent no stream.", "upstream_error", "upstream_error"), headers);
    let usage: Usage | null = null;
    let settle!: () => void;
    c.executionCtx.waitUntil(new Promise<void>((r) => (settle = r)));
    const body = provider.chat.stream(upstream.body, dep, ctx, {
      usage: (u) => (usage = u),
      end: (outcome) => {
        const status = outcome === "complete" ? "success" : outcome === "cancelled" ? "cancelled" : "failure";
        spend(status, usage, usage ? priceCall(dep, usage) : outcome === "complete" ? null : 0, usage ? {} : { usage: "missing" });
        settle();
      },
    });
    headers.set("content-type", "text/event-stream; charset=utf-8");
    headers.set("cache-control", "no-cache");
    return new Response(body, { status: 200, headers });
  }

  let translated;
  try {
    const text = await readBody(upstream, timeoutMs);
    translated = provider.chat.response(text, dep, ctx);
  } catch (e) {
    if (e instanceof GatewayError) spend("failure", null, 0, { error: e.code ?? e.type, http_status: e.status });
    throw withHeaders(e, headers);
  } finally {
    done();
  }
  const cost = translated.usage ? priceCall(dep, translated.usage) : null;
  costHeaders(headers, cost, principal.kind === "key" ? principal.key.spend + (cost ?? 0) : undefined);
  spend("success", translated.usage, cost);
  headers.set("content-type", "application/json");
  return new Response(translated.json, { status: 200, headers });
}

/** Adds the call's headers to an error on its way out. */
function withHeaders(e: unknown, headers: Headers): unknown {
  if (!(e instanceof GatewayError)) return e;
  const merged: Record<string, string> = {};
  headers.forEach((v, k) => (merged[k] = v));
  return new GatewayError(e.status, e.message, e.type, e.code, e.param, { ...merged, ...e.headers });
}

