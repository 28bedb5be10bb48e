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
  const clientTrace = e.trace?.client?.trace_id?.toLowerCase();
  const traceId =
    parent?.traceId ?? (clientTrace && OTEL_TRACE_ID.test(clientTrace) && !/^0+$/.test(clientTrace) ? clientTrace : nonZero(fnv1a64(`trace:${e.request_id}`) + fnv1a64(`trace2:${e.request_id}`)));
  return {
    traceId,
    parentSpanId: parent?.spanId,
    callSpanId: nonZero(fnv1a64(`call:${e.request_id}`)),
    attemptSpanId: (i) => nonZero(fnv1a64(`attempt:${i}:${e.request_id}`)),
  };
}

/** A stable id for a batch of events: the same events give the same id. */
export function batchId(events: SpendEvent[]): string {
  return fnv1a64(
    events
      .map((e) => e.request_id)
      .sort()
      .join("\n"),
  );
}
