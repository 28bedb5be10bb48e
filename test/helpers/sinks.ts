import { fakeUpstream, json, received, type Received } from "./upstream";

/** Fake sink hosts, as the test bindings in vitest.config.ts name them. */
export const SINK_URLS = {
  otel: "https://otel.test/v1/traces",
  langfuse: "https://langfuse.test/api/public/ingestion",
  langfuse_otel: "https://langfuse.test/api/public/otel/v1/traces",
  generic: "https://logs.test/ingest",
  datadog: "https://http-intake.logs.datadoghq.test/api/v2/logs",
  slack: "https://slack.test/hook",
  webhook: "https://hooks.test/alerts",
} as const;

/** Answers every sink with success (a sink's answer can be replaced by a later fakeUpstream). */
export function fakeSinks(): void {
  fakeUpstream(SINK_URLS.otel, () => json({ partialSuccess: {} }));
  fakeUpstream(SINK_URLS.langfuse, () => json({ successes: [], errors: [] }, 207));
  fakeUpstream(SINK_URLS.langfuse_otel, () => json({}));
  fakeUpstream(SINK_URLS.generic, () => new Response("ok"));
  fakeUpstream(SINK_URLS.datadog, () => json({}, 202));
  fakeUpstream(SINK_URLS.slack, () => new Response("ok"));
  fakeUpstream(SINK_URLS.webhook, () => new Response("ok"));
}

/** What a sink received so far. */
export const at = (url: string): Received[] => received.filter((r) => r.url === url);

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  status: { code: number; message?: string };
}

/** The spans of every OTLP request a URL received. */
export function spansAt(url: string): Span[] {
  return at(url).flatMap((r) => r.json<{ resourceSpans: Array<{ scopeSpans: Array<{ spans: Span[] }> }> }>().resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)));
}

/** A span's attributes as plain values. */
export function attrs(span: Span): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const plain = (v: Record<string, unknown>): unknown => {
    if ("stringValue" in v) return v.stringValue;
    if ("intValue" in v) return Number(v.intValue);
    if ("doubleValue" in v) return v.doubleValue;
    if ("boolValue" in v) return v.boolValue;
    if ("arrayValue" in v) return ((v.arrayValue as { values?: Array<Record<string, unknown>> }).values ?? []).map(plain);
    return undefined;
  };
  for (const a of span.attributes) out[a.key] = plain(a.value);
  return out;
}
