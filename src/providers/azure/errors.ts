import type { Deployment } from "../../config/deployment";
import { GatewayError } from "../../http/errors";
import { compatError } from "../openai-compat/adapter";

/**
 * Azure's errors are OpenAI-shaped, with Azure's own codes:
 * - a content-filter refusal (400, `code: "content_filter"`, innererror ResponsibleAIPolicyViolation)
 *   is `content_policy_violation`, so content-policy fallbacks apply;
 * - a bare HTTP status as the code (`{"code":"429","message":...}`, `"401"`) says nothing more than
 *   the status: it becomes `rate_limit_exceeded` for a 429 (OpenAI's code), else no code;
 * - the rest (`context_length_exceeded`, `DeploymentNotFound`, ...) passes on as Azure sent it.
 */
export function azureError(status: number, text: string, headers: Headers, dep: Deployment): GatewayError {
  const err = compatError(status, text, headers, dep);
  if (err.code === "content_filter" || (status === 400 && /ResponsibleAIPolicyViolation|content management policy/i.test(text))) {
    return new GatewayError(400, err.message, "invalid_request_error", "content_policy_violation", err.param, err.headers);
  }
  if (err.code && /^\d+$/.test(err.code)) {
    const type = status === 429 ? "rate_limit_exceeded" : err.type;
    return new GatewayError(err.status, err.message, type, status === 429 ? "rate_limit_exceeded" : null, err.param, err.headers);
  }
  return err;
}
