import type { GatewayError } from "../../http/errors";

/** The routes whose errors are answered in Google's shape: the /gemini and /vertex_ai pass-through. */
export const isGoogleRoute = (path: string): boolean => /^\/(?:gemini|vertex_ai)(?:\/|$)/.test(path);

/** Google's canonical status name for an HTTP status. */
function statusName(status: number): string {
  switch (status) {
    case 400:
    case 413:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 408:
    case 504:
      return "DEADLINE_EXCEEDED";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 503:
      return "UNAVAILABLE";
    default:
      return status >= 400 && status < 500 ? "FAILED_PRECONDITION" : "INTERNAL";
  }
}

/** Google's error body `{"error": {"code", "message", "status"}}` of a gateway error. */
const googleErrorBody = (err: GatewayError) => ({ error: { code: err.status, message: err.message, status: statusName(err.status) } });

export function googleErrorResponse(err: GatewayError): Response {
  const headers = new Headers({ "content-type": "application/json" });
  for (const [k, v] of Object.entries(err.headers)) headers.set(k, v);
  return new Response(JSON.stringify(googleErrorBody(err)), { status: err.status, headers });
}

/** The SSE event that ends a Google stream which failed after its first byte. */
export const googleStreamError = (err: GatewayError): string => `data: ${JSON.stringify(googleErrorBody(err))}\n\n`;
