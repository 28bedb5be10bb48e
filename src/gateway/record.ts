import type { Deployment } from "../config/deployment";
import type { Usage } from "../providers/types";
import type { AttemptRecord } from "../router/execute";
import type { SpendEvent } from "../spend/event";
import type { CallControls } from "./controls";
import type { CallContext, CallRequest } from "./types";

const MAX_METADATA_CHARS = 4000;
/** With general_settings.store_prompts_in_spend_logs: how much of the request and the answer a row keeps. */
const MAX_STORED_CHARS = 8000;

const clip = (text: string) => (text.length > MAX_STORED_CHARS ? `${text.slice(0, MAX_STORED_CHARS)}...[truncated]` : text);

function spendMetadata(req: CallRequest, controls: CallControls, extra: Record<string, unknown>, storePrompts: boolean): Record<string, unknown> {
  // x-litellm-enable-message-redaction: no prompt or answer text in the row, whatever the setting.
  const store = storePrompts && !controls.redact;
  const stored = store ? { request: clip(JSON.stringify(req)), ...(typeof extra.response === "string" ? { response: clip(extra.response) } : {}) } : {};
  delete extra.response;
  const meta: Record<string, unknown> = { ...extra };
  if (controls.endUser) meta.user = controls.endUser;
  if (controls.tags.length) meta.tags = controls.tags;
  if (controls.spendLogsMetadata) meta.spend_logs_metadata = controls.spendLogsMetadata;
  if (controls.mockResponse !== undefined || controls.mockTestingFallbacks || controls.mockTestingRateLimitError) meta.mock = true;
  if (JSON.stringify(meta).length <= MAX_METADATA_CHARS) return { ...meta, ...stored };
  return { ...meta, attempts: (meta.attempts as unknown[] | undefined)?.slice(-5), truncated: true, ...stored };
}

const LEADING_ID = /^\s*\{\s*"id"\s*:\s*"((?:[^"\\]|\\.){1,256})"/;

/** The top-level `id` of a JSON answer, as the client got it (never rewritten). */
function responseIdOf(json: string): string | undefined {
  const m = LEADING_ID.exec(json);
  if (m) return JSON.parse(`"${m[1]}"`) as string;
  if (json.length > 1_000_000 || !json.trimStart().startsWith("{")) return undefined;
  try {
    const id = (JSON.parse(json) as { id?: unknown }).id;
    return typeof id === "string" && id ? id.slice(0, 256) : undefined;
  } catch {
    return undefined;
  }
}

/** What a finished call records: the row of spend_logs, and what telemetry sinks read. */
export function spendEvent(
  cx: CallContext,
  call: { route: string; stream: boolean; request: CallRequest; controls: CallControls; start: number; dep: Deployment | undefined; attempts: AttemptRecord[] },
  status: string,
  usage: Usage | null,
  cost: number | null,
  extra: Record<string, unknown>,
): SpendEvent {
  const { principal } = cx;
  const { dep, request } = call;
  const responseId = typeof extra.response_id === "string" ? extra.response_id : typeof extra.response === "string" ? responseIdOf(extra.response) : undefined;
  delete extra.response_id;
  return {
    request_id: cx.requestId,
    ...(responseId ? { response_id: responseId } : {}),
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
    metadata: spendMetadata(
      request,
      call.controls,
      { route: call.route, stream: call.stream, ...(call.attempts.length > 1 ? { attempts: call.attempts } : {}), ...extra },
      cx.config.settings.storePrompts,
    ),
  };
}
