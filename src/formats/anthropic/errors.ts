import type { GatewayError } from "../../http/errors";

/**
 * Errors in Anthropic's shape, `{"type":"error","error":{"type","message"}}`, for the routes
 * Anthropic clients call (/v1/messages and below). The status stays the gateway's; the type is
 * Anthropic's name for it.
 */

/** The routes whose errors are answered in Anthropic's shape. */
export const isAnthropicRoute = (path: string): boolean => /^(?:\/v1)?\/messages(?:\/|$)/.test(path) || /^\/anthropic(?:\/|$)/.test(path);

/** Anthropic's error type for an HTTP status. */
function typeForStatus(status: number): string {
  switch (status) {
    case 400:
    case 422:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 408:
    case 504:
      return "timeout_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    default:
      return status >= 400 && status < 500 ? "invalid_request_error" : "api_error";
  }
}

/** Anthropic's error type for an OpenAI-shaped error (a mid-stream error event has no status). */
export function anthropicErrorType(type: string | null | undefined, code: string | null | undefined, status?: number): string {
  if (code === "config_error") return "api_error"; // the gateway's own setup, not an overload
  if (status !== undefined) return typeForStatus(status);
  if (code === "model_not_found" || code === "not_found") return "not_found_error";
  if (code === "request_too_large") return "request_too_large";
  switch (type) {
    case "invalid_request_error":
      return "invalid_request_error";
    case "authentication_error":
      return "authentication_error";
    case "permission_error":
      return "permission_error";
    case "rate_limit_exceeded":
    case "rate_limit_error":
      return "rate_limit_error";
    case "timeout":
      return "timeout_error";
    case "service_unavailable":
    case "overloaded_error":
      return "overloaded_error";
    default:
      return "api_error";
  }
}

/** The Anthropic error body of a gateway error. */
function anthropicErrorBody(err: GatewayError): { type: "error"; error: { type: string; message: string } } {
  return { type: "error", error: { type: anthropicErrorType(err.type, err.code, err.status), message: err.message } };
}

/** The JSON response of a gateway error, in Anthropic's shape, with its headers. */
export function anthropicErrorResponse(err: GatewayError): Response {
  const headers = new Headers({ "content-type": "application/json" });
  for (const [k, v] of Object.entries(err.headers)) headers.set(k, v);
  return new Response(JSON.stringify(anthropicErrorBody(err)), { status: err.status, headers });
}

/** The SSE event that ends an Anthropic stream which failed after its first byte. */
export function anthropicErrorEvent(type: string, message: string): string {
  return `event: error\ndata: ${JSON.stringify({ type: "error", error: { type, message } })}\n\n`;
}

/** `anthropicErrorEvent` for a gateway error (mid-stream, so the type comes from the error, not a status). */
export const anthropicStreamError = (err: GatewayError): string => anthropicErrorEvent(anthropicErrorType(err.type, err.code), err.message);
