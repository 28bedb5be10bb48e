import { type BodyControls, parseControls, requestFallbacks } from "../api/controls";
import { invalidRequest } from "../http/errors";

/** What one call's client asked of the gateway itself, from its body and LiteLLM's x-litellm-* headers. */
export interface CallControls {
  /** Upstream deadline (ms) for this call, replacing the deployment's. */
  timeoutMs?: number;
  /** Deadline (ms) for a stream's first byte. */
  streamTimeoutMs?: number;
  numRetries?: number;
  /** The request's own fallbacks, replacing the configured ones (undefined: none given). */
  fallbacks?: string[];
  /** Spend tags: metadata.tags, the body's `tags` and `x-litellm-tags`. */
  tags: string[];
  /** `x-litellm-spend-logs-metadata` (or metadata.spend_logs_metadata): kept in the spend row. */
  spendLogsMetadata?: Record<string, unknown>;
  /** The end user: `x-litellm-customer-id` / `x-litellm-end-user-id`, else the body's `user`. */
  endUser?: string;
  /** `x-litellm-enable-message-redaction`: no prompt or answer text in spend logs or sinks. */
  redact: boolean;
  /** LiteLLM's test hooks. */
  mockResponse?: string;
  mockTestingFallbacks: boolean;
  mockTestingRateLimitError: boolean;
}

/** The spend row keeps it whole: bounded like the row's other metadata. */
const MAX_SPEND_METADATA = 2000;

const truthy = (v: string | null) => v !== null && /^(true|1|yes)$/i.test(v.trim());

function headerSeconds(headers: Headers, name: string): number | undefined {
  const v = headers.get(name);
  if (v === null || v.trim() === "") return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw invalidRequest(`The header '${name}' must be a number of seconds (more than 0, at most 3600).`, name);
  return n * 1000;
}

const bodySeconds = (v: number | string | null | undefined): number | undefined => (v === null || v === undefined ? undefined : Number(v) * 1000);

function headerRetries(headers: Headers): number | undefined {
  const v = headers.get("x-litellm-num-retries");
  if (v === null || v.trim() === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 10) throw invalidRequest("The header 'x-litellm-num-retries' must be a whole number from 0 to 10.", "x-litellm-num-retries");
  return n;
}

function headerMetadata(headers: Headers, metadata: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
  const v = headers.get("x-litellm-spend-logs-metadata");
  if (v !== null && v.length > MAX_SPEND_METADATA) throw invalidRequest(`The header 'x-litellm-spend-logs-metadata' may be at most ${MAX_SPEND_METADATA} characters.`, "x-litellm-spend-logs-metadata");
  if (v !== null && v.trim() !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw invalidRequest("The header 'x-litellm-spend-logs-metadata' must be a JSON object.", "x-litellm-spend-logs-metadata");
    }
    return parsed as Record<string, unknown>;
  }
  const inBody = metadata?.spend_logs_metadata;
  if (inBody === undefined || inBody === null) return undefined;
  if (typeof inBody !== "object" || Array.isArray(inBody)) throw invalidRequest("'metadata.spend_logs_metadata' must be an object.", "metadata.spend_logs_metadata");
  if (JSON.stringify(inBody).length > MAX_SPEND_METADATA)
    throw invalidRequest(`'metadata.spend_logs_metadata' may be at most ${MAX_SPEND_METADATA} characters as JSON.`, "metadata.spend_logs_metadata");
  return inBody as Record<string, unknown>;
}

function tagsOf(headers: Headers, body: BodyControls, metadata: Record<string, unknown> | null | undefined): string[] {
  const out = new Set<string>();
  const meta = metadata?.tags;
  if (Array.isArray(meta)) for (const t of meta) if (typeof t === "string" && t) out.add(t);
  for (const t of body.tags ?? []) if (t) out.add(t);
  for (const t of (headers.get("x-litellm-tags") ?? "").split(",")) if (t.trim()) out.add(t.trim());
  return [...out].slice(0, 20);
}

/**
 * Reads a call's controls. Headers win over the body, as in LiteLLM (its proxy copies
 * x-litellm-timeout / -num-retries over the body's values). A malformed value is a 400 naming it.
 */
export function callControls(body: unknown, headers: Headers, requested: string, request: { user?: string; metadata?: Record<string, unknown> | null }): CallControls {
  const b = parseControls(body);
  const endUser = headers.get("x-litellm-customer-id")?.trim() || headers.get("x-litellm-end-user-id")?.trim() || request.user || undefined;
  const out: CallControls = {
    timeoutMs: headerSeconds(headers, "x-litellm-timeout") ?? bodySeconds(b.timeout),
    streamTimeoutMs: headerSeconds(headers, "x-litellm-stream-timeout") ?? bodySeconds(b.stream_timeout),
    numRetries: headerRetries(headers) ?? b.num_retries ?? undefined,
    fallbacks: requestFallbacks(b.fallbacks, requested),
    tags: tagsOf(headers, b, request.metadata),
    spendLogsMetadata: headerMetadata(headers, request.metadata),
    endUser,
    redact: truthy(headers.get("x-litellm-enable-message-redaction")),
    mockResponse: b.mock_response ?? undefined,
    mockTestingFallbacks: b.mock_testing_fallbacks === true,
    mockTestingRateLimitError: b.mock_testing_rate_limit_error === true,
  };
  return out;
}
