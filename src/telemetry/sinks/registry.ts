import type { SinkName } from "../../config/callbacks";
import { datadog } from "./datadog";
import { genericApi, webhook } from "./generic";
import { langfuse } from "./langfuse";
import { langfuseOtel } from "./langfuse-otel";
import { otel } from "./otel";
import { s3 } from "./s3";
import type { Sink } from "./types";

/** Every export sink, by its LiteLLM callback name. */
const SINKS: Record<SinkName, Sink> = {
  otel,
  langfuse,
  langfuse_otel: langfuseOtel,
  webhook,
  generic_api: genericApi,
  s3,
  datadog,
};

export const sinkFor = (name: string): Sink | undefined => (Object.hasOwn(SINKS, name) ? SINKS[name as SinkName] : undefined);
