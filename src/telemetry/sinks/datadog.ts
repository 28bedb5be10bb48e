import { standardPayload } from "../standard-payload";
import { binding, post, SinkError } from "./http";
import type { Sink } from "./types";

/** Datadog's logs intake (v2): one log per call, its message the StandardLoggingPayload, as LiteLLM sends it. */
export const datadog: Sink = {
  name: "datadog",
  async deliver(events, { env }) {
    const key = binding(env, "DD_API_KEY");
    if (!key) throw new SinkError("datadog: set DD_API_KEY (and DD_SITE, e.g. us5.datadoghq.com)", false);
    const site = binding(env, "DD_SITE") ?? "datadoghq.com";
    const service = binding(env, "DD_SERVICE") ?? "litellm-server";
    const source = binding(env, "DD_SOURCE") ?? "litellm";
    const ddtags = [`env:${binding(env, "DD_ENV") ?? "unknown"}`, `service:${service}`, `version:${binding(env, "DD_VERSION") ?? "unknown"}`].join(",");
    const logs = events.map((e) => ({
      ddsource: source,
      ddtags,
      hostname: "switchyard",
      service,
      status: e.status === "success" ? "info" : "error",
      message: JSON.stringify(standardPayload(e)),
    }));
    await post(`https://http-intake.logs.${site}/api/v2/logs`, JSON.stringify(logs), { "DD-API-KEY": key });
  },
};
