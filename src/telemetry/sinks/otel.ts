import { otlpBody } from "../otlp";
import { binding, headerList, post, SinkError, type Bindings } from "./http";
import type { Sink } from "./types";

/**
 * Where OTLP/HTTP traces go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT
 * + /v1/traces, else LiteLLM's OTEL_ENDPOINT (as is when it has a path, else + /v1/traces).
 */
function otlpEndpoint(env: Bindings): string | undefined {
  const traces = binding(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  if (traces) return traces;
  const base = binding(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  if (base) return `${base.replace(/\/+$/, "")}/v1/traces`;
  const litellm = binding(env, "OTEL_ENDPOINT");
  if (!litellm) return undefined;
  try {
    return new URL(litellm).pathname.replace(/\/+$/, "") ? litellm : `${litellm.replace(/\/+$/, "")}/v1/traces`;
  } catch {
    throw new SinkError("OTEL_ENDPOINT is not a URL", false);
  }
}

export const otel: Sink = {
  name: "otel",
  async deliver(events, { env }) {
    const exporter = binding(env, "OTEL_EXPORTER");
    if (exporter && exporter !== "otlp_http") throw new SinkError(`OTEL_EXPORTER=${exporter} is not supported: Switchyard sends OTLP over HTTP (otlp_http)`, false);
    const url = otlpEndpoint(env);
    if (!url) throw new SinkError("otel: set OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_ENDPOINT)", false);
    const headers = headerList(binding(env, "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_HEADERS"), "OTEL_EXPORTER_OTLP_HEADERS");
    await post(url, otlpBody(events, binding(env, "OTEL_SERVICE_NAME") ?? "switchyard"), headers);
  },
};
