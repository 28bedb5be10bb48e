import * as z from "zod/mini";
import { formatPath } from "../config/schema";
import { invalidRequest } from "../http/errors";
import { parseDuration } from "../limits/duration";

/** LiteLLM key fields that later work will add; asking for one now is a 400 that says so. */
const NOT_YET = new Set([
  "max_budget", "soft_budget", "budget_duration", "tpm_limit", "max_parallel_requests", "team_id", "user_id",
  "model_max_budget", "model_rpm_limit", "model_tpm_limit", "aliases", "config", "permissions", "allowed_cache_controls",
  "guardrails", "blocked", "tags", "key", "spend", "send_invite_email", "enforced_params", "budget_id", "temp_budget_increase",
  "temp_budget_expiry", "organization_id", "allowed_routes", "object_permission", "prompts", "rpm_limit_type", "tpm_limit_type",
]);

const fields = {
  key_alias: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(256)))),
  models: z.optional(z.nullable(z.array(z.string().check(z.minLength(1))).check(z.maxLength(1000)))),
  duration: z.optional(z.nullable(z.string())),
  rpm_limit: z.optional(z.nullable(z.number().check(z.int(), z.gte(0)))),
  metadata: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
};

export const generateSchema = z.object(fields);
export const updateSchema = z.object({ key: z.string().check(z.minLength(1)), ...fields });

export type KeyFields = z.infer<typeof generateSchema>;

/** Validates an admin body: fields not supported yet and unknown fields are a 400 naming them. */
export function parseKeyBody<T>(schema: z.ZodMiniType<T>, body: unknown, extra: readonly string[] = []): T {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw invalidRequest("The request body must be a JSON object.");
  const known = new Set([...Object.keys((schema as unknown as { def: { shape: object } }).def.shape), ...extra]);
  for (const name of Object.keys(body)) {
    if (known.has(name)) continue;
    if (NOT_YET.has(name)) throw invalidRequest(`The field '${name}' is not supported yet by this gateway.`, name);
    throw invalidRequest(`Unknown field '${name}'.`, name);
  }
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const param = formatPath(issue.path);
    throw invalidRequest(`Invalid value for '${param}': ${issue.message}`, param);
  }
  return r.data;
}

/** `duration` -> absolute expiry (unix ms), `null` for never; undefined when the field was not given. */
export function expiryFrom(duration: string | null | undefined, now = Date.now()): number | null | undefined {
  if (duration === undefined) return undefined;
  if (duration === null) return null;
  const ms = parseDuration(duration);
  if (ms === undefined) throw invalidRequest(`Invalid duration '${duration}': use e.g. 30s, 30m, 1h, 1d, 7d or 1mo.`, "duration");
  return now + ms;
}
