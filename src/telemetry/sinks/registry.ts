import type { SinkName } from "../../config/callbacks";
import { parseSinkId, type Tenant } from "../tenant-callbacks";
import { TENANT_VARS } from "../tenant-logging";
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

const sinkFor = (name: string): Sink | undefined => (Object.hasOwn(SINKS, name) ? SINKS[name as SinkName] : undefined);

/** The sink an export batch names: a callback, or a key's or team's own (`langfuse@team:<id>`). */
export function sinkTarget(id: string): { sink: Sink; tenant?: Tenant } | undefined {
  const { name, tenant } = parseSinkId(id);
  const sink = sinkFor(name);
  if (!sink || (tenant && !Object.hasOwn(TENANT_VARS, name))) return undefined;
  return tenant ? { sink, tenant } : { sink };
}
