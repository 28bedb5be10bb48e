import type { TelemetrySettings } from "../config/callbacks";
import type { Deployment } from "../config/deployment";
import type { AttemptTrace, CallTrace } from "../spend/event";
import { clipAnswer, clipMessages, clipText } from "./content";

/** Request metadata keys Langfuse reads (LiteLLM's names), carried to the sinks when the client sends them. */
const CLIENT_KEYS = ["trace_id", "trace_name", "generation_name", "generation_id", "session_id", "trace_user_id", "existing_trace_id", "trace_version", "trace_release"];
const MAX_ATTEMPTS = 10;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The W3C traceparent, when valid (an all-zero trace or span id is not). */
export function parseTraceparent(value: string | undefined | null): { traceId: string; spanId: string } | undefined {
  const m = value ? TRACEPARENT.exec(value.trim().toLowerCase()) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, spanId: m[2]! };
}

/** OpenTelemetry GenAI operation names for the gateway's routes. */
function operationName(route: string): string {
  if (route === "chat" || route === "messages" || route === "responses") return "chat";
  if (route === "completions") return "text_completion";
  if (route === "embeddings") return "embeddings";
  return "generate_content";
}

interface TraceInput {
  settings: TelemetrySettings;
  /** The key's or team's own sinks for this outcome (team- and key-based logging). */
  tenant?: readonly string[];
  headers: Headers;
  key: { keyAlias: string | null; metadata: Record<string, unknown> } | null;
  /** The parsed request body. */
  request: Record<string, unknown>;
  route: string;
  status: string;
  deployment: (id: string) => Deployment | undefined;
  attempts: ReadonlyArray<{ deployment: string; model_group: string; status: number; error?: string; ms: number; cooldown_until?: number }>;
  /** When each attempt started and ended, in the order they were made. */
  timings: ReadonlyArray<{ start: number; end: number }>;
  usage: { cached_tokens?: number; cache_creation_tokens?: number } | null;
  /** The answer as sent to the client (non-streamed calls). */
  responseJson?: string;
  /** The answer's own id as the client got it (streams: from the stream). */
  responseId?: string;
  /** A streamed answer's text (kept only when message logging is on). */
  streamText?: string;
  ttftMs?: number;
  error?: { type: string; status: number; message?: string };
}

const host = (base: string | undefined): string => {
  if (!base) return "";
  try {
    return new URL(base).host;
  } catch {
    return "";
  }
};

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

function answerFacts(json: string): CallTrace["response"] {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!o || typeof o !== "object") return undefined;
  const out: NonNullable<CallTrace["response"]> = {};
  if (typeof o.id === "string") out.id = o.id.slice(0, 200);
  if (typeof o.model === "string") out.model = o.model.slice(0, 200);
  const reasons: string[] = [];
  if (Array.isArray(o.choices)) for (const c of o.choices) if (typeof c?.finish_reason === "string") reasons.push(c.finish_reason);
  if (typeof o.stop_reason === "string") reasons.push(o.stop_reason);
  if (typeof o.status === "string" && o.object === "response") reasons.push(o.status);
  if (reasons.length) out.finish_reasons = reasons.slice(0, 16);
  return out;
}

function truthy(v: unknown): boolean {
  return v === true || (typeof v === "string" && /^(true|1|yes)$/i.test(v.trim()));
}

/**
 * What the callbacks need about a call (see CallTrace), or undefined when no callback runs for
 * this outcome: then nothing more is built and the event stays as it was.
 */
export function buildTrace(t: TraceInput): CallTrace | undefined {
  const global = t.status === "success" ? t.settings.onSuccess : t.settings.onFailure;
  const callbacks = t.tenant?.length ? [...global, ...t.tenant] : global;
  // Failure alerts (outage_alerts, llm_exceptions) read the attempts too.
  const alerting = t.settings.alerting.slack || t.settings.alerting.webhook;
  if (!callbacks.length && !alerting) return undefined;
  const attempts: AttemptTrace[] = t.attempts.slice(-MAX_ATTEMPTS).map((a, i, list) => {
    const dep = t.deployment(a.deployment);
    const timing = t.timings[t.timings.length - list.length + i];
    const end = timing?.end ?? Date.now();
    return {
      deployment: a.deployment,
      model: dep?.model ?? "",
      model_group: a.model_group,
      provider: dep?.provider ?? "",
      api_base: host(dep?.apiBase),
      status: a.status,
      ...(a.error ? { error: a.error } : {}),
      start: timing?.start ?? end - a.ms,
      end,
      ...(a.cooldown_until ? { cooldown_until: a.cooldown_until } : {}),
    };
  });
  const trace: CallTrace = { callbacks: [...callbacks], operation: operationName(t.route), attempts, redacted: true };
  const parent = t.headers.get("traceparent");
  if (parseTraceparent(parent)) trace.traceparent = parent!.trim().toLowerCase();
  const params: NonNullable<CallTrace["params"]> = {};
  const maxTokens = num(t.request.max_tokens) ?? num(t.request.max_completion_tokens) ?? num(t.request.max_output_tokens);
  if (maxTokens !== undefined) params.max_tokens = maxTokens;
  if (num(t.request.temperature) !== undefined) params.temperature = num(t.request.temperature);
  if (num(t.request.top_p) !== undefined) params.top_p = num(t.request.top_p);
  if (Object.keys(params).length) trace.params = params;
  if (t.responseJson && callbacks.length) trace.response = answerFacts(t.responseJson);
  else if (t.responseId && callbacks.length) trace.response = { id: t.responseId.slice(0, 200) };
  if (t.usage?.cached_tokens !== undefined) trace.cache_read_tokens = t.usage.cached_tokens;
  if (t.usage?.cache_creation_tokens !== undefined) trace.cache_creation_tokens = t.usage.cache_creation_tokens;
  if (t.ttftMs !== undefined) trace.ttft_ms = t.ttftMs;
  if (t.key?.keyAlias) trace.key_alias = t.key.keyAlias;
  if (t.settings.endUserLabel && typeof t.request.user === "string" && t.request.user) trace.end_user = t.request.user.slice(0, 200);
  const meta = t.request.metadata;
  if (meta && typeof meta === "object") {
    const client: Record<string, string> = {};
    for (const k of CLIENT_KEYS) {
      const v = (meta as Record<string, unknown>)[k];
      if (typeof v === "string" && v) client[k] = v.slice(0, 200);
    }
    if (Object.keys(client).length) trace.client = client;
  }
  if (t.error) trace.error = { type: t.error.type, status: t.error.status, ...(t.error.message ? { message: t.error.message.slice(0, 500) } : {}) };
  const optedOut = truthy(t.headers.get("x-litellm-enable-message-redaction")) || truthy(t.key?.metadata?.["no-log"]) || truthy(t.request["no-log"]);
  if (t.settings.logMessages && !optedOut && callbacks.length) {
    trace.redacted = false;
    trace.messages = clipMessages(t.request.messages ?? t.request.prompt ?? t.request.input);
    if (t.responseJson) trace.answer = clipAnswer(t.responseJson);
    else if (t.streamText !== undefined) trace.answer = [{ role: "assistant", content: clipText(t.streamText) }];
  }
  return trace;
}
