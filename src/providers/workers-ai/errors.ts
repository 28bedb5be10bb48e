import type { Deployment } from "../../config/deployment";
import type { GatewayError } from "../../http/errors";
import { compatError } from "../openai-compat/adapter";
import { upstreamError } from "../upstream-error";

interface CloudflareEnvelope {
  success?: boolean;
  errors?: Array<{ message?: unknown; code?: unknown }>;
}

/**
 * Workers AI answers errors in Cloudflare's API envelope, `{"success":false,"errors":[{"code":
 * 3036,"message":"..."}]}`, with meaningful HTTP statuses (its error table: 400 bad input or no
 * such model, 401/403 token or account, 404 invalid model id, 408 timeout, 413 too large, 429 for
 * the daily free allocation (3036) and capacity (3040)); the status passes on, the messages become
 * the error's message with their codes. An OpenAI-shaped body is read as such.
 */
export function workersAiError(status: number, text: string, headers: Headers, dep: Deployment): GatewayError {
  let envelope: CloudflareEnvelope | undefined;
  try {
    envelope = JSON.parse(text) as CloudflareEnvelope;
  } catch {
    /* not JSON */
  }
  const errors = Array.isArray(envelope?.errors) ? envelope.errors : [];
  if (!errors.length) return compatError(status, text, headers, dep);
  const message = errors.map((e) => `${typeof e.message === "string" ? e.message : "error"}${e.code != null ? ` (Workers AI error ${String(e.code)})` : ""}`).join("; ");
  const code = status === 400 && /context (?:window|length)|too many tokens/i.test(message) ? "context_length_exceeded" : undefined;
  return upstreamError(status, message, dep, headers, { code });
}
