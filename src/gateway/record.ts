import type { Deployment } from "../config/deployment";
import type { Usage } from "../providers/types";
import type { AttemptRecord } from "../router/execute";
import type { SpendEvent } from "../spend/event";
import type { CallContext, CallRequest } from "./types";

const MAX_METADATA_CHARS = 4000;
/** With general_settings.store_prompts_in_spend_logs: how much of the request and the answer a row keeps. */
const MAX_STORED_CHARS = 8000;

const clip = (text: string) => (text.length > MAX_STORED_CHARS ? `${text.slice(0, MAX_STORED_CHARS)}...[truncated]` : text);

function spendMetadata(req: CallRequest, extra: Record<string, unknown>, storePrompts: boolean): Record<string, unknown> {
  const stored = storePrompts ? { request: clip(JSON.stringify(req)), ...(typeof extra.response === "string" ? { response: clip(extra.response) } : {}) } : {};
  delete extra.response;
  const meta: Record<string, unknown> = { ...extra };
  if (req.user) meta.user = req.user;
  const tags = req.metadata?.tags;
  if (Array.isArray(tags)) meta.tags = tags.filter((t) => typeof t === "string").slice(0, 20);
  if (JSON.stringify(meta).length <= MAX_METADATA_CHARS) return { ...meta, ...stored };
  return { ...meta, attempts: (meta.attempts as unknown[] | undefined)?.slice(-5), truncated: true, ...stored };
}

/** What a finished call records: the row of spend_logs, and what telemetry sinks read. */
export function spendEvent(
  cx: CallContext,
  call: { route: string; stream: boolean; request: CallRequest; start: number; dep: Deployment | undefined; attempts: AttemptRecord[] },
  status: string,
  usage: Usage | null,
  cost: number | null,
  extra: Record<string, unknown>,
): SpendEvent {
  const { principal } = cx;
  const { dep, request } = call;
  return {
    request_id: cx.requestId,
    api_key: principal.kind === "key" ? principal.key.token : "master",
    team_id: principal.kind === "key" ? principal.key.teamId : null,
    model: dep?.model ?? request.model,
    model_group: request.model,
    provider: dep?.provider ?? "",
    deployment: dep?.id ?? "",
    prompt_tokens: usage?.prompt_tokens ?? 0,
    completion_tokens: usage?.completion_tokens ?? 0,
    spend: cost,
    status,
    start_time: call.start,
    end_time: Date.now(),
    ...(cx.batch ? { batch_id: cx.batch.batchId, custom_id: cx.batch.customId } : {}),
    metadata: spendMetadata(request, { route: call.route, stream: call.stream, ...(call.attempts.length > 1 ? { attempts: call.attempts } : {}), ...extra }, cx.config.settings.storePrompts),
  };
}
