import type { SpendEvent } from "../../spend/event";
import { basicAuth, binding, post, SinkError } from "./http";
import type { Sink } from "./types";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A call as Langfuse ingestion events: a trace (the client's metadata.trace_id, else the request
 * id; any string is a valid Langfuse trace id) and a generation in it. Envelope ids derive from the
 * request id, so a redelivered batch is deduplicated by Langfuse.
 */
function langfuseEvents(e: SpendEvent): unknown[] {
  const t = e.trace;
  const client = t?.client ?? {};
  const meta = e.metadata ?? {};
  const traceId = client.existing_trace_id ?? client.trace_id ?? e.request_id;
  const name = `${t?.operation ?? "chat"} ${e.model_group}`;
  const tags = Array.isArray(meta.tags) ? meta.tags : undefined;
  const user = client.trace_user_id ?? (typeof meta.user === "string" ? meta.user : undefined);
  const content = t && !t.redacted;
  const failed = e.status !== "success";
  const last = t?.attempts.at(-1);
  const events: unknown[] = [];
  // An existing trace is only added to, never renamed (Langfuse's existing_trace_id).
  if (!client.existing_trace_id) {
    events.push({
      id: `${e.request_id}-trace`,
      type: "trace-create",
      timestamp: iso(e.start_time),
      body: {
        id: traceId,
        timestamp: iso(e.start_time),
        name: client.trace_name ?? name,
        ...(user ? { userId: user } : {}),
        ...(client.session_id ? { sessionId: client.session_id } : {}),
        ...(tags ? { tags } : {}),
        ...(client.trace_version ? { version: client.trace_version } : {}),
        ...(client.trace_release ? { release: client.trace_release } : {}),
        ...(content ? { input: t.messages ?? null, output: t.answer ?? null } : {}),
        metadata: { key_alias: t?.key_alias ?? null, team_id: e.team_id ?? null, team_alias: t?.team_alias ?? null },
      },
    });
  }
  const usage: Record<string, number> = { input: e.prompt_tokens, output: e.completion_tokens, total: e.prompt_tokens + e.completion_tokens };
  if (t?.cache_read_tokens !== undefined) usage.cache_read_input_tokens = t.cache_read_tokens;
  if (t?.cache_creation_tokens !== undefined) usage.cache_creation_input_tokens = t.cache_creation_tokens;
  events.push({
    id: `${e.request_id}-generation`,
    type: "generation-create",
    timestamp: iso(e.start_time),
    body: {
      id: client.generation_id ?? e.request_id,
      traceId,
      name: client.generation_name ?? name,
      startTime: iso(e.start_time),
      endTime: iso(e.end_time),
      ...(t?.ttft_ms !== undefined && last ? { completionStartTime: iso(last.start + t.ttft_ms) } : {}),
      model: t?.response?.model ?? e.model,
      modelParameters: t?.params ?? {},
      ...(content ? { input: t.messages ?? null, output: t.answer ?? null } : {}),
      usageDetails: usage,
      ...(e.spend !== null ? { costDetails: { total: e.spend } } : {}),
      level: failed ? "ERROR" : "DEFAULT",
      ...(failed ? { statusMessage: t?.error?.type ?? e.status } : {}),
      metadata: {
        request_id: e.request_id,
        model_group: e.model_group,
        deployment: e.deployment,
        provider: e.provider,
        api_base: last?.api_base ?? null,
        key_hash: e.api_key,
        key_alias: t?.key_alias ?? null,
        team_id: e.team_id ?? null,
        team_alias: t?.team_alias ?? null,
        attempts: t?.attempts ?? [],
        response_id: t?.response?.id ?? null,
        finish_reasons: t?.response?.finish_reasons ?? null,
      },
    },
  });
  return events;
}

export const langfuse: Sink = {
  name: "langfuse",
  async deliver(events, { env }) {
    const pub = binding(env, "LANGFUSE_PUBLIC_KEY");
    const secret = binding(env, "LANGFUSE_SECRET_KEY");
    if (!pub || !secret) throw new SinkError("langfuse: set LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY", false);
    const host = (binding(env, "LANGFUSE_HOST") ?? "https://cloud.langfuse.com").replace(/\/+$/, "");
    const res = await post(`${host}/api/public/ingestion`, JSON.stringify({ batch: events.flatMap(langfuseEvents) }), { authorization: basicAuth(pub, secret) });
    // 207: per-event results. An event refused for its content will not pass on a retry; a server-side one may.
    if (res.status === 207) {
      const body = (await res.json().catch(() => ({}))) as { errors?: Array<{ id?: string; status?: number; message?: string }> };
      const errors = body.errors ?? [];
      if (errors.some((x) => (x.status ?? 500) >= 500 || x.status === 429)) throw new SinkError(`langfuse: ${errors.length} events not ingested (${errors[0]?.message ?? errors[0]?.status})`, true);
      if (errors.length) console.error(JSON.stringify({ msg: "langfuse refused events", errors: errors.slice(0, 5) }));
    }
  },
};
