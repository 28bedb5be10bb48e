import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Deployment } from "../config/deployment";
import { GatewayError } from "../http/errors";

const MAX_MESSAGE = 1000;

/** Removes the deployment's secrets from text that came back from (or goes to) a client. */
export function scrubSecrets(text: string, dep: Deployment): string {
  let out = text;
  for (const [name, value] of Object.entries(dep.params)) {
    if (typeof value !== "string" || value.length < 8) continue;
    if (!/key|secret|token|password|credentials/i.test(name)) continue;
    out = out.split(value).join("[redacted]");
  }
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}...` : out;
}

/** The OpenAI `type` for an HTTP status, for upstreams whose errors carry none. */
function typeForStatus(status: number): string {
  if (status === 400 || status === 404 || status === 422) return "invalid_request_error";
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 408) return "timeout";
  if (status === 429) return "rate_limit_exceeded";
  if (status === 503 || status === 529) return "service_unavailable";
  return "api_error";
}

/** The status to answer with for an upstream's error status (never 2xx/3xx, never a status without a body). */
function errorStatus(status: number): ContentfulStatusCode {
  if (status === 529) return 503;
  if (status >= 400 && status <= 599) return status as ContentfulStatusCode;
  return 502;
}

/** Upstream rate-limit hints a client can use: `retry-after` (and `-ms`) are passed on. */
function retryHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  const ra = headers.get("retry-after");
  if (ra) out["retry-after"] = ra;
  const ms = headers.get("retry-after-ms");
  if (ms) out["retry-after-ms"] = ms;
  return out;
}

/** Builds a GatewayError from an upstream error's parts, with secrets removed from the message. */
export function upstreamError(status: number, message: string, dep: Deployment, headers: Headers, fields: { type?: string | null; code?: string | null; param?: string | null } = {}): GatewayError {
  const text = scrubSecrets(message || `The upstream answered HTTP ${status}.`, dep);
  return new GatewayError(errorStatus(status), text, fields.type || typeForStatus(status), fields.code ?? null, fields.param ?? null, retryHeaders(headers));
}
