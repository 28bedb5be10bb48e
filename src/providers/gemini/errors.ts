import type { Deployment } from "../../config/deployment";
import type { GatewayError } from "../../http/errors";
import { upstreamError } from "../upstream-error";

/** Google's canonical error statuses: the HTTP status each comes with (for errors met mid-stream) and OpenAI's type and code. */
const STATUSES: Readonly<Record<string, { http: number; type?: string; code?: string }>> = {
  INVALID_ARGUMENT: { http: 400 },
  FAILED_PRECONDITION: { http: 400 },
  OUT_OF_RANGE: { http: 400 },
  UNAUTHENTICATED: { http: 401, type: "authentication_error" },
  PERMISSION_DENIED: { http: 403, type: "permission_error" },
  NOT_FOUND: { http: 404, code: "not_found" },
  RESOURCE_EXHAUSTED: { http: 429, type: "rate_limit_exceeded", code: "rate_limit_exceeded" },
  CANCELLED: { http: 499 },
  INTERNAL: { http: 500, type: "api_error" },
  UNAVAILABLE: { http: 503, type: "service_unavailable" },
  DEADLINE_EXCEEDED: { http: 504, type: "timeout" },
};

const CONTEXT_LENGTH = /input token count.*exceeds|exceeds the maximum number of tokens|context (?:window|length)|too many (?:input )?tokens|prompt is too long/i;
const CONTENT_POLICY = /blocked (?:by|due to) safety|safety (?:filter|reasons)|prohibited content|content policy/i;

interface GoogleError {
  code?: unknown;
  message?: unknown;
  status?: unknown;
  details?: unknown;
}

/** The `error` object of a body: `{error}`, or (Vertex streams) `[{error}]`. */
function errorOf(body: unknown): GoogleError | undefined {
  const top = Array.isArray(body) ? body[0] : body;
  const e = top && typeof top === "object" ? (top as { error?: unknown }).error : undefined;
  return e && typeof e === "object" ? (e as GoogleError) : undefined;
}

function details(e: GoogleError): Array<Record<string, unknown>> {
  return Array.isArray(e.details) ? e.details.filter((d): d is Record<string, unknown> => !!d && typeof d === "object") : [];
}

/** RetryInfo's `retryDelay` ("34.4s") in whole seconds, rounded up. */
function retryDelay(e: GoogleError): number | undefined {
  for (const d of details(e)) {
    const m = typeof d.retryDelay === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(d.retryDelay) : null;
    if (m) return Math.max(1, Math.ceil(Number(m[1])));
  }
  return undefined;
}

/** An invalid key is a 400 INVALID_ARGUMENT on AI Studio; the ErrorInfo reason says what it is. */
const badApiKey = (e: GoogleError): boolean => details(e).some((d) => d.reason === "API_KEY_INVALID" || d.reason === "API_KEY_EXPIRED");

function build(status: number | undefined, e: GoogleError | undefined, fallback: string, headers: Headers, dep: Deployment): GatewayError {
  const kind = typeof e?.status === "string" ? e.status : undefined;
  const known = kind ? STATUSES[kind] : undefined;
  const message = typeof e?.message === "string" && e.message ? e.message : fallback;
  let finalStatus = status ?? (typeof e?.code === "number" ? e.code : undefined) ?? known?.http ?? 502;
  let type = known?.type ?? null;
  let code = known?.code ?? null;
  if (e && badApiKey(e)) {
    finalStatus = 401;
    type = "authentication_error";
  } else if (finalStatus === 400 && CONTEXT_LENGTH.test(message)) code = "context_length_exceeded";
  else if (finalStatus === 400 && CONTENT_POLICY.test(message)) code = "content_policy_violation";
  if (finalStatus === 429 && !code) code = "rate_limit_exceeded";
  const delay = e ? retryDelay(e) : undefined;
  let passed = headers;
  if (delay !== undefined && !headers.has("retry-after")) {
    passed = new Headers(headers);
    passed.set("retry-after", String(delay));
  }
  return upstreamError(finalStatus, message, dep, passed, { type, code });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A Google API error ({error: {code, message, status, details}}) as the gateway's error: the
 * upstream's status (RESOURCE_EXHAUSTED 429 with RetryInfo's delay as retry-after, UNAVAILABLE 503,
 * UNAUTHENTICATED 401, PERMISSION_DENIED 403, INVALID_ARGUMENT 400, an invalid API key 401),
 * context-length and content-policy codes, secrets removed.
 */
export function geminiError(status: number, text: string, headers: Headers, dep: Deployment): GatewayError {
  return build(status, errorOf(parse(text)), text, headers, dep);
}

/** An error object met inside a stream (its own `code` gives the status). */
export function geminiStreamError(data: unknown, dep: Deployment): GatewayError {
  return build(undefined, errorOf(data), "The upstream reported an error mid-stream.", new Headers(), dep);
}
