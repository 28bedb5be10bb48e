import type { SpendEvent } from "../spend/event";
import { traceIds } from "./ids";

const CALL_TYPES: Record<string, string> = { chat: "acompletion", text_completion: "atext_completion", embeddings: "aembedding", generate_content: "aimage_generation" };

/**
 * LiteLLM's StandardLoggingPayload for a call (the object its generic_api, webhook, s3 and
 * Datadog loggers send), as far as the gateway knows each field; times in Unix seconds as LiteLLM writes them.
 */
export function standardPayload(e: SpendEvent): Record<string, unknown> {
  const t = e.trace;
  const meta = e.metadata ?? {};
  const tags = Array.isArray(meta.tags) ? meta.tags : [];
  const user = typeof meta.user === "string" ? meta.user : null;
  const last = t?.attempts.at(-1);
  const firstToken = t?.ttft_ms !== undefined && last ? (last.start + t.ttft_ms) / 1000 : e.end_time / 1000;
  const failed = e.status !== "success";
  return {
    id: e.request_id,
    trace_id: t?.client?.trace_id ?? traceIds(e).traceId,
    call_type: CALL_TYPES[t?.operation ?? "chat"] ?? "acompletion",
    stream: typeof meta.stream === "boolean" ? meta.stream : null,
    response_cost: e.spend ?? 0,
    status: failed ? "failure" : "success",
    custom_llm_provider: e.provider || null,
    total_tokens: e.prompt_tokens + e.completion_tokens,
    prompt_tokens: e.prompt_tokens,
    completion_tokens: e.completion_tokens,
    startTime: e.start_time / 1000,
    endTime: e.end_time / 1000,
    completionStartTime: firstToken,
    response_time: (e.end_time - e.start_time) / 1000,
    model: e.model,
    model_id: e.deployment || null,
    model_group: e.model_group,
    api_base: last?.api_base ?? "",
    metadata: {
      user_api_key_hash: e.api_key,
      user_api_key_alias: t?.key_alias ?? null,
      user_api_key_team_id: e.team_id ?? null,
      user_api_key_team_alias: t?.team_alias ?? null,
      user_api_key_end_user_id: user,
      requester_metadata: t?.client ?? {},
      attempts: t?.attempts ?? [],
    },
    cache_hit: false,
    request_tags: tags,
    end_user: user,
    messages: t && !t.redacted ? (t.messages ?? null) : null,
    response: t && !t.redacted ? (t.answer ?? null) : null,
    error_str: failed ? (t?.error?.type ?? e.status) : null,
    error_information: failed ? { error_code: t?.error ? String(t.error.status) : null, error_class: t?.error?.type ?? null, llm_provider: e.provider || null } : null,
    model_parameters: t?.params ?? {},
    hidden_params: { model_id: e.deployment || null, api_base: last?.api_base ?? null, response_cost: e.spend },
  };
}
