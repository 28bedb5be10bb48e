import { fnv1a64 } from "../config/hash";
import type { SpendEvent } from "../spend/event";
import { parseTraceparent } from "./call-trace";

const nonZero = (hex: string) => (/^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex);
const OTEL_TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * A call's OpenTelemetry ids, all derived from its request id (so a redelivered batch sends the
 * same spans again, which backends that deduplicate by id collapse): the trace is the caller's
 * (traceparent), else the client's metadata.trace_id when it is an OTel trace id, else derived.
 */
export function traceIds(e: SpendEvent): { traceId: string; parentSpanId?: string; callSpanId: string; attemptSpanId: (i: number) => string } {
  const parent = parseTraceparent(e.trace?.traceparent);
  return {
    traceId: callTraceId(e.request_id, e.trace?.traceparent, e.trace?.client?.trace_id),
    parentSpanId: parent?.spanId,
    callSpanId: nonZero(fnv1a64(`call:${e.request_id}`)),
    attemptSpanId: (i) => attemptSpanId(e.request_id, i),
  };
}

/** The trace a call belongs to: the caller's (traceparent), else the client's metadata.trace_id when it is an OTel trace id, else derived from the request id. */
function callTraceId(requestId: string, traceparent: string | undefined, clientTraceId: unknown): string {
  const parent = parseTraceparent(traceparent);
  if (parent) return parent.traceId;
  const clientTrace = typeof clientTraceId === "string" ? clientTraceId.toLowerCase() : undefined;
  if (clientTrace && OTEL_TRACE_ID.test(clientTrace) && !/^0+$/.test(clientTrace)) return clientTrace;
  return nonZero(fnv1a64(`trace:${requestId}`) + fnv1a64(`trace2:${requestId}`));
}

/** The span id of a call's i-th upstream attempt (0-based). */
const attemptSpanId = (requestId: string, i: number): string => nonZero(fnv1a64(`attempt:${i}:${requestId}`));

/**
 * The traceparent an upstream attempt is sent with: the call's trace, the attempt's span as the
 * parent, so the provider's own spans (when it records any) sit under the gateway's attempt span.
 */
export const upstreamTraceparent = (requestId: string, i: number, traceparent: string | undefined, clientTraceId: unknown): string =>
  `00-${callTraceId(requestId, traceparent, clientTraceId)}-${attemptSpanId(requestId, i)}-01`;

/** A stable id for a batch of events: the same events give the same id. */
export function batchId(events: SpendEvent[]): string {
  return fnv1a64(
    events
      .map((e) => e.request_id)
      .sort()
      .join("\n"),
  );
}
