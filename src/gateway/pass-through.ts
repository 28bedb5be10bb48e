import type { PassThroughEndpoint } from "../config/pass-through";
import { configError } from "../http/errors";
import { admit } from "../limits/admission";
import { recordSpend } from "../spend/sender";
import { callUpstream } from "./upstream";
import type { CallContext } from "./types";

/** LiteLLM's pass-through default timeout (general_settings.pass_through_request_timeout: 600 s). */
const DEFAULT_TIMEOUT_MS = 600_000;

/** Client headers never forwarded: the gateway key in every spelling, cookies, hop-by-hop and Cloudflare's own. */
const NEVER = new Set([
  "authorization",
  "x-api-key",
  "api-key",
  "x-litellm-api-key",
  "x-goog-api-key",
  "cookie",
  "host",
  "content-length",
  "connection",
  "transfer-encoding",
  "x-forwarded-for",
  "x-real-ip",
]);

function upstreamHeaders(ep: PassThroughEndpoint, client: Headers): Headers {
  const out = new Headers();
  if (ep.forwardHeaders) {
    client.forEach((v, k) => {
      if (!NEVER.has(k) && !k.startsWith("cf-")) out.set(k, v);
    });
  } else {
    for (const k of ["content-type", "accept"]) {
      const v = client.get(k);
      if (v) out.set(k, v);
    }
  }
  for (const [k, v] of Object.entries(ep.headers)) out.set(k, v);
  return out;
}

/** `{target}{subpath}?{default_query_params, the client's winning}`. */
function upstreamUrl(ep: PassThroughEndpoint, url: URL): string {
  const sub = url.pathname.length > ep.path.length ? url.pathname.slice(ep.path.length) : "";
  const target = new URL(ep.target + sub);
  for (const [k, v] of Object.entries(ep.query)) if (!url.searchParams.has(k)) target.searchParams.set(k, v);
  for (const [k, v] of url.searchParams) target.searchParams.append(k, v);
  return target.toString();
}

/**
 * One request to a general_settings.pass_through_endpoints entry: admitted by the caller's guards
 * (the endpoint's path stands for the model: a key with a model list must list it), sent to the
 * target with the endpoint's headers, answered as the target answered (status, body, headers),
 * and recorded as one call costing cost_per_request.
 */
export async function forwardPassThrough(cx: CallContext, ep: PassThroughEndpoint, request: Request): Promise<Response> {
  if (ep.error) throw configError(ep.error);
  const start = Date.now();
  const { env, config, principal } = cx;
  const admitted = await admit(env, config, principal, { id: cx.requestId, model: ep.path, reserve: ep.costPerRequest }, cx.waitUntil);
  let status = 0;
  try {
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
    const url = new URL(request.url);
    const sent = await callUpstream(new Request(upstreamUrl(ep, url), { method: request.method, headers: upstreamHeaders(ep, request.headers), body }), ep.timeoutMs ?? DEFAULT_TIMEOUT_MS, cx.signal);
    sent.done();
    status = sent.response.status;
    const headers = new Headers(sent.response.headers);
    for (const [k, v] of Object.entries(admitted.headers)) headers.set(k, v);
    headers.delete("content-length");
    return new Response(sent.response.body, { status: sent.response.status, headers });
  } finally {
    const ok = status >= 200 && status < 400;
    const cost = ok ? ep.costPerRequest : 0;
    const settled = admitted.settle(cost, 0);
    if (settled) cx.waitUntil(settled);
    if (!config.settings.disableSpendLogs) {
      recordSpend(env, cx, {
        request_id: cx.requestId,
        api_key: principal.kind === "key" ? principal.key.token : "master",
        team_id: principal.kind === "key" ? principal.key.teamId : null,
        model: ep.path,
        model_group: ep.path,
        provider: "pass_through",
        deployment: ep.path,
        prompt_tokens: 0,
        completion_tokens: 0,
        spend: cost,
        status: ok ? "success" : "failure",
        start_time: start,
        end_time: Date.now(),
        metadata: { route: "pass_through", http_status: status },
      });
    }
  }
}
