import type { Deployment } from "../../config/deployment";
import type { GatewayError } from "../../http/errors";
import { upstreamError } from "../upstream-error";

/**
 * Cohere's errors are `{"id"?, "message"}` with these statuses (its API reference):
 * 400 bad request, 401 unauthorized, 402 payment required, 403, 404, 422 unprocessable (-> 400),
 * 429 too many requests (retry-after passed on), 498 invalid token (-> 401), 499 request
 * cancelled (not by the gateway, which did not go away: -> 502, retryable), 500, 501 not
 * implemented (a feature this model lacks: -> 400), 503, 504.
 * "too many tokens ..." (the prompt does not fit) is context_length_exceeded.
 */
export function cohereError(status: number, text: string, headers: Headers, dep: Deployment): GatewayError {
  let message = text;
  try {
    const o = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof o.message === "string") message = o.message;
    else if (typeof o.error === "string") message = o.error;
  } catch {
    /* the text as it came */
  }
  const mapped = STATUS[status] ?? status;
  const code = mapped === 400 && /too many tokens|context (?:length|window)/i.test(message) ? "context_length_exceeded" : undefined;
  const prefix = status === 499 ? "Cohere cancelled the request: " : "";
  return upstreamError(mapped, prefix + message, dep, headers, { code });
}

const STATUS: Record<number, number> = { 422: 400, 498: 401, 499: 502, 501: 400 };
