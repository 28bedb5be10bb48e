import type { Deployment } from "../../config/deployment";
import type { GatewayError } from "../../http/errors";
import { upstreamError } from "../upstream-error";

/** Anthropic's error types: the HTTP status each comes with (what a mid-stream `error` event is answered as) and OpenAI's type. */
const TYPES: Readonly<Record<string, { status: number; type: string; code?: string }>> = {
  invalid_request_error: { status: 400, type: "invalid_request_error" },
  authentication_error: { status: 401, type: "authentication_error" },
  billing_error: { status: 402, type: "billing_error" },
  permission_error: { status: 403, type: "permission_error" },
  not_found_error: { status: 404, type: "invalid_request_error", code: "not_found" },
  request_too_large: { status: 413, type: "invalid_request_error", code: "request_too_large" },
  rate_limit_error: { status: 429, type: "rate_limit_exceeded", code: "rate_limit_exceeded" },
  api_error: { status: 500, type: "api_error" },
  timeout_error: { status: 504, type: "timeout" },
  overloaded_error: { status: 529, type: "service_unavailable", code: "overloaded" },
};

const CONTEXT_LENGTH = /prompt is too long|exceed(?:s|ed)? (?:the )?context (?:limit|window|length)|context (?:limit|window) exceeded|too many (?:input )?tokens/i;
const CONTENT_POLICY = /content filtering|content policy|usage policy/i;

interface ErrorBody {
  type?: unknown;
  error?: { type?: unknown; message?: unknown };
}

function build(status: number | undefined, body: ErrorBody | undefined, fallback: string, headers: Headers, dep: Deployment): GatewayError {
  const kind = typeof body?.error?.type === "string" ? body.error.type : undefined;
  const message = typeof body?.error?.message === "string" ? body.error.message : fallback;
  const known = kind ? TYPES[kind] : undefined;
  const finalStatus = status ?? known?.status ?? 502;
  let code = known?.code ?? null;
  if (finalStatus === 400 && CONTEXT_LENGTH.test(message)) code = "context_length_exceeded";
  else if (finalStatus === 400 && CONTENT_POLICY.test(message)) code = "content_policy_violation";
  return upstreamError(finalStatus, message, dep, headers, { type: known?.type ?? null, code });
}

function parse(text: string): ErrorBody | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" ? (v as ErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An Anthropic error answer ({type: "error", error: {type, message}}) as the gateway's error:
 * the upstream's status (529 overloaded -> 503), OpenAI's type, context-length and content-policy
 * codes, retry-after passed on, secrets removed.
 */
export function anthropicError(status: number, text: string, headers: Headers, dep: Deployment): GatewayError {
  return build(status, parse(text), text, headers, dep);
}

/** A mid-stream `error` event (no HTTP status of its own: the error type gives it). */
export function anthropicStreamError(data: unknown, dep: Deployment): GatewayError {
  const body = data && typeof data === "object" ? (data as ErrorBody) : undefined;
  return build(undefined, body, "The upstream reported an error mid-stream.", new Headers(), dep);
}
