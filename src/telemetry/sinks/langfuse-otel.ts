import { otlpBody } from "../otlp";
import { basicAuth, binding, post, SinkError } from "./http";
import type { Sink } from "./types";

/** The otel spans, sent to Langfuse's OpenTelemetry endpoint with the project's keys. */
export const langfuseOtel: Sink = {
  name: "langfuse_otel",
  async deliver(events, { env }) {
    const pub = binding(env, "LANGFUSE_PUBLIC_KEY");
    const secret = binding(env, "LANGFUSE_SECRET_KEY");
    if (!pub || !secret) throw new SinkError("langfuse_otel: set LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY", false);
    const host = (binding(env, "LANGFUSE_OTEL_HOST", "LANGFUSE_HOST") ?? "https://cloud.langfuse.com").replace(/\/+$/, "");
    await post(`${host}/api/public/otel/v1/traces`, otlpBody(events, binding(env, "OTEL_SERVICE_NAME") ?? "switchyard"), {
      authorization: basicAuth(pub, secret),
      "x-langfuse-ingestion-version": "4",
    });
  },
};
