import type { SpendEvent } from "../spend/event";
import { traceIds } from "./ids";

/** OTLP/JSON attribute values. */
type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean } | { arrayValue: { values: AnyValue[] } };
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  status: { code: number; message?: string };
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const STATUS_OK = 1;
const STATUS_ERROR = 2;

/** gen_ai.provider.name's well-known values for the gateway's provider names. */
const PROVIDER_NAMES: Record<string, string> = {
  bedrock: "aws.bedrock",
  azure: "azure.ai.openai",
  azure_ai: "azure.ai.inference",
  gemini: "gcp.gemini",
  vertex_ai: "gcp.vertex_ai",
  mistral: "mistral_ai",
  xai: "x_ai",
  watsonx: "ibm.watsonx.ai",
};
const genAiProvider = (provider: string): string => PROVIDER_NAMES[provider] ?? provider;

function value(v: unknown): AnyValue | undefined {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number" && Number.isFinite(v)) return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) {
    const values = v.map(value).filter((x): x is AnyValue => !!x);
    return { arrayValue: { values } };
  }
  return undefined;
}

/** Attributes from a record, skipping undefined, null and empty strings. */
function attributes(rec: Record<string, unknown>): KeyValue[] {
  const out: KeyValue[] = [];
  for (const [key, v] of Object.entries(rec)) {
    if (v === undefined || v === null || v === "") continue;
    const val = value(v);
    if (val) out.push({ key, value: val });
  }
  return out;
}

const nanos = (ms: number) => `${Math.round(ms)}000000`;

/**
 * A call as OpenTelemetry spans, following the GenAI semantic conventions: one span for the call
 * ("{operation} {requested model}", usage, cost and the caller's identity) and a child span per
 * upstream attempt ("{operation} {upstream model}"), so retries and fallbacks show. Both are model
 * calls, so both carry gen_ai.* attributes; usage is on the call span only (it is not counted twice).
 */
function spansOf(e: SpendEvent): OtlpSpan[] {
  const t = e.trace;
  const op = t?.operation ?? "chat";
  const ids = traceIds(e);
  const failed = e.status !== "success";
  const lastAttempt = t?.attempts.at(-1);
  const meta = e.metadata ?? {};
  const tags = Array.isArray(meta.tags) ? (meta.tags as unknown[]).filter((x): x is string => typeof x === "string") : undefined;
  const client = t?.client ?? {};
  const callAttrs: Record<string, unknown> = {
    "gen_ai.operation.name": op,
    "gen_ai.provider.name": e.provider ? genAiProvider(e.provider) : undefined,
    "gen_ai.request.model": e.model_group,
    "gen_ai.request.max_tokens": t?.params?.max_tokens,
    "gen_ai.request.temperature": t?.params?.temperature,
    "gen_ai.request.top_p": t?.params?.top_p,
    "gen_ai.response.id": t?.response?.id,
    "gen_ai.response.model": t?.response?.model ?? (e.model || undefined),
    "gen_ai.response.finish_reasons": t?.response?.finish_reasons,
    "gen_ai.usage.input_tokens": e.prompt_tokens,
    "gen_ai.usage.output_tokens": e.completion_tokens,
    "gen_ai.usage.cache_read.input_tokens": t?.cache_read_tokens,
    "gen_ai.usage.cache_creation.input_tokens": t?.cache_creation_tokens,
    "gen_ai.usage.cost": e.spend ?? undefined,
    "gen_ai.conversation.id": client.session_id,
    "server.address": lastAttempt?.api_base,
    "error.type": failed ? (t?.error?.type ?? e.status) : undefined,
    "user.id": client.trace_user_id ?? (typeof meta.user === "string" ? meta.user : undefined),
    "session.id": client.session_id,
    "switchyard.request_id": e.request_id,
    "switchyard.key.hash": e.api_key,
    "switchyard.key.alias": t?.key_alias,
    "switchyard.team.id": e.team_id ?? undefined,
    "switchyard.team.alias": t?.team_alias,
    "switchyard.end_user": typeof meta.user === "string" ? meta.user : undefined,
    "switchyard.tags": tags,
    "switchyard.deployment.id": e.deployment || undefined,
    "switchyard.stream": typeof meta.stream === "boolean" ? meta.stream : undefined,
    "switchyard.time_to_first_token_ms": t?.ttft_ms,
    // A client trace id that is not an OTel trace id travels as an attribute, never as the span's id.
    "metadata.trace_id": client.trace_id,
    "metadata.trace_name": client.trace_name,
    "metadata.generation_name": client.generation_name,
    "metadata.session_id": client.session_id,
    "metadata.trace_user_id": client.trace_user_id,
  };
  if (t && !t.redacted) {
    if (t.messages !== undefined) callAttrs["gen_ai.input.messages"] = JSON.stringify(t.messages);
    if (t.answer !== undefined) callAttrs["gen_ai.output.messages"] = JSON.stringify(t.answer);
  }
  const spans: OtlpSpan[] = [
    {
      traceId: ids.traceId,
      spanId: ids.callSpanId,
      ...(ids.parentSpanId ? { parentSpanId: ids.parentSpanId } : {}),
      name: `${op} ${e.model_group}`,
      kind: SPAN_KIND_SERVER,
      startTimeUnixNano: nanos(e.start_time),
      endTimeUnixNano: nanos(e.end_time),
      attributes: attributes(callAttrs),
      status: failed ? { code: STATUS_ERROR, ...(t?.error?.type ? { message: t.error.type } : {}) } : { code: STATUS_OK },
    },
  ];
  for (const [i, a] of (t?.attempts ?? []).entries()) {
    const ok = a.status >= 200 && a.status < 300 && !a.error;
    spans.push({
      traceId: ids.traceId,
      spanId: ids.attemptSpanId(i),
      parentSpanId: ids.callSpanId,
      name: `${op} ${a.model || a.model_group}`,
      kind: SPAN_KIND_CLIENT,
      startTimeUnixNano: nanos(a.start),
      endTimeUnixNano: nanos(a.end),
      attributes: attributes({
        "gen_ai.operation.name": op,
        "gen_ai.provider.name": a.provider ? genAiProvider(a.provider) : undefined,
        "gen_ai.request.model": a.model || a.model_group,
        "server.address": a.api_base,
        "http.response.status_code": a.status || undefined,
        "error.type": ok ? undefined : (a.error ?? (a.status ? String(a.status) : "_OTHER")),
        "switchyard.deployment.id": a.deployment,
        "switchyard.model_group": a.model_group,
        "switchyard.attempt": i + 1,
      }),
      status: ok ? { code: STATUS_OK } : { code: STATUS_ERROR, ...(a.error ? { message: a.error } : {}) },
    });
  }
  return spans;
}

/** An OTLP/HTTP JSON ExportTraceServiceRequest for a batch of calls. */
export function otlpBody(events: SpendEvent[], serviceName: string): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: attributes({ "service.name": serviceName }) },
        scopeSpans: [{ scope: { name: "switchyard" }, spans: events.flatMap(spansOf) }],
      },
    ],
  });
}
