import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An error the gateway answers with, in OpenAI's shape `{"error":{message,type,param,code}}`. */
export class GatewayError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Headers the error's response carries (extended as the error travels out). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const invalidRequest = (message: string, param: string | null = null, code = "invalid_request_error") => new GatewayError(400, message, "invalid_request_error", code, param);

export const unauthorized = (message: string) => new GatewayError(401, message, "authentication_error", "invalid_api_key");

export const forbidden = (message: string, code = "forbidden") => new GatewayError(403, message, "permission_error", code);

export const modelNotFound = (model: string) => new GatewayError(404, `The model '${model}' does not exist or is not configured on this gateway.`, "invalid_request_error", "model_not_found", "model");

export const configError = (message: string) => new GatewayError(503, message, "config_error", "config_error");

export const upstreamUnreadable = (message: string) => new GatewayError(502, message, "upstream_error", "upstream_error");

/** An upstream answer's JSON, typed as the caller expects (the caller checks its shape): a 502 when the body is not JSON. */
export function upstreamJson<T = unknown>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw upstreamUnreadable("The upstream answered with a body that is not JSON.");
  }
}

export const timeoutError = (message: string) => new GatewayError(408, message, "timeout", "timeout");

/** The client went away (nginx's 499): nothing more is tried for it. */
export const clientGone = () => new GatewayError(499 as 400, "The client went away.", "invalid_request_error", "client_closed");

export const rateLimited = (message: string, retryAfterSeconds: number, headers: Record<string, string> = {}) =>
  new GatewayError(429, message, "rate_limit_exceeded", "rate_limit_exceeded", null, {
    ...headers,
    "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });

/** Builds the JSON response of an error, with its headers. */
export function errorResponse(err: GatewayError, extra?: HeadersInit): Response {
  const headers = new Headers(extra);
  headers.set("content-type", "application/json");
  for (const [k, v] of Object.entries(err.headers)) headers.set(k, v);
  return new Response(JSON.stringify(err.body()), { status: err.status, headers });
}
