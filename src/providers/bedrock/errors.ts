import type { Deployment } from "../../config/deployment";
import type { GatewayError } from "../../http/errors";
import { upstreamError } from "../upstream-error";

/**
 * Bedrock's error types (the `x-amzn-errortype` header, `__type` in the body, or an exception
 * frame's `:exception-type`, which spells them in lowerCamelCase): the status the gateway answers
 * with and OpenAI's type.
 */
const TYPES: Readonly<Record<string, { status: number; type: string; code?: string }>> = {
  throttlingexception: { status: 429, type: "rate_limit_exceeded", code: "rate_limit_exceeded" },
  servicequotaexceededexception: { status: 429, type: "rate_limit_exceeded", code: "rate_limit_exceeded" },
  serviceunavailableexception: { status: 503, type: "service_unavailable" },
  modelnotreadyexception: { status: 503, type: "service_unavailable", code: "model_not_ready" },
  accessdeniedexception: { status: 403, type: "permission_error" },
  unrecognizedclientexception: { status: 401, type: "authentication_error", code: "invalid_api_key" },
  expiredtokenexception: { status: 401, type: "authentication_error", code: "invalid_api_key" },
  invalidsignatureexception: { status: 401, type: "authentication_error", code: "invalid_api_key" },
  incompletesignatureexception: { status: 401, type: "authentication_error", code: "invalid_api_key" },
  missingauthenticationtokenexception: { status: 401, type: "authentication_error", code: "invalid_api_key" },
  validationexception: { status: 400, type: "invalid_request_error" },
  resourcenotfoundexception: { status: 404, type: "invalid_request_error", code: "model_not_found" },
  modeltimeoutexception: { status: 408, type: "timeout", code: "timeout" },
  internalserverexception: { status: 500, type: "api_error" },
  modelerrorexception: { status: 424, type: "api_error" },
  modelstreamerrorexception: { status: 424, type: "api_error" },
};

const CONTEXT_LENGTH =
  /input is too long|too many (?:input )?tokens|prompt is too long|exceed(?:s|ed)? (?:the )?(?:model'?s? )?(?:maximum )?context (?:limit|window|length)|maximum context length|context (?:limit|window) exceeded/i;
const CONTENT_POLICY = /content filtering|content policy|usage policy|blocked by (?:the )?(?:content|guardrail)/i;

interface ErrorBody {
  message?: unknown;
  Message?: unknown;
  __type?: unknown;
  type?: unknown;
  originalStatusCode?: unknown;
  originalMessage?: unknown;
  Output?: { __type?: unknown; message?: unknown };
}

/** `ThrottlingException` from `ThrottlingException:http://internal.amazon.com/...` or `com.amazon.coral.service#UnknownOperationException`. */
function typeName(raw: unknown): string | undefined {
  if (typeof raw !== "string" || !raw) return undefined;
  const name = raw.split(":")[0]!.split("#").at(-1)!.trim();
  return name || undefined;
}

function parse(text: string): ErrorBody | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as ErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

function build(status: number | undefined, kind: string | undefined, message: string, headers: Headers, dep: Deployment): GatewayError {
  const known = kind ? TYPES[kind.toLowerCase()] : undefined;
  const finalStatus = known?.status ?? status ?? 502;
  let code = known?.code ?? null;
  if (finalStatus === 400 && CONTEXT_LENGTH.test(message)) code = "context_length_exceeded";
  else if (finalStatus === 400 && CONTENT_POLICY.test(message)) code = "content_policy_violation";
  const text = kind && !message.includes(kind) ? `${kind}: ${message}` : message;
  return upstreamError(finalStatus, text, dep, headers, { type: known?.type ?? null, code });
}

/**
 * A Bedrock error answer (`{"message": ...}` with the type in `x-amzn-errortype` or `__type`) as
 * the gateway's error: the type's status (throttling 429, unavailable 503, auth 401, ...),
 * context-length and content-policy codes on 400s, retry-after passed on, secrets removed.
 */
export function bedrockError(status: number, text: string, headers: Headers, dep: Deployment): GatewayError {
  const body = parse(text);
  const kind = typeName(headers.get("x-amzn-errortype")) ?? typeName(body?.__type) ?? typeName(body?.type) ?? typeName(body?.Output?.__type);
  const raw = body?.message ?? body?.Message ?? body?.Output?.message;
  const message = typeof raw === "string" && raw ? raw : body ? `The upstream answered HTTP ${status}.` : text.trim();
  return build(status, kind, message, headers, dep);
}

/**
 * An exception frame mid-stream (`:message-type` exception, its type in `:exception-type`, a JSON
 * payload with `message`), or a protocol error frame (`:error-code`, `:error-message`).
 */
export function bedrockStreamError(kind: string | undefined, payload: string, dep: Deployment): GatewayError {
  const body = parse(payload);
  const raw = body?.message ?? body?.Message;
  let message = typeof raw === "string" && raw ? raw : payload.trim() || "The upstream reported an error mid-stream.";
  if (typeof body?.originalMessage === "string" && body.originalMessage && !message.includes(body.originalMessage)) message += ` (${body.originalMessage})`;
  const original = typeof body?.originalStatusCode === "number" ? body.originalStatusCode : undefined;
  const known = kind ? TYPES[kind.toLowerCase()] : undefined;
  return build(known ? undefined : (original ?? 502), kind, message, new Headers(), dep);
}
