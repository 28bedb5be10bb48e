import { standardPayload } from "../standard-payload";
import { binding, headerList, post, SinkError } from "./http";
import type { Sink } from "./types";

/** LiteLLM's generic API logger: a JSON array of StandardLoggingPayload objects per batch. */
function genericSink(name: "webhook" | "generic_api"): Sink {
  return {
    name,
    async deliver(events, { env }) {
      const url = binding(env, "GENERIC_LOGGER_ENDPOINT");
      if (!url) throw new SinkError(`${name}: set GENERIC_LOGGER_ENDPOINT`, false);
      await post(url, JSON.stringify(events.map(standardPayload)), headerList(binding(env, "GENERIC_LOGGER_HEADERS"), "GENERIC_LOGGER_HEADERS"));
    },
  };
}

export const webhook = genericSink("webhook");
export const genericApi = genericSink("generic_api");
