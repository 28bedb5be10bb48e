import * as z from "zod/mini";
import { invalidRequest } from "../http/errors";
import { CACHE_CONTROL_NAMES } from "../cache/controls";
import { KEY_TYPES, ROUTE_GROUPS } from "../http/key-access";
import { parseAdminBody } from "../identity/fields";
import { parseDuration } from "../limits/duration";

/** LiteLLM key fields that later work will add; asking for one now is a 400 that says so. */
const NOT_YET = new Set([
  "config",
  "permissions",
  "guardrails",
  "key",
  "spend",
  "send_invite_email",
  "enforced_params",
  "budget_id",
  "organization_id",
  "object_permission",
  "prompts",
  "rpm_limit_type",
  "tpm_limit_type",
]);

const count = z.number().check(z.int(), z.gte(0));
const usd = z.number().check(z.gte(0));

const fields = {
  key_alias: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(256)))),
  models: z.optional(z.nullable(z.array(z.string().check(z.minLength(1))).check(z.maxLength(1000)))),
  duration: z.optional(z.nullable(z.string())),
  rpm_limit: z.optional(z.nullable(count)),
  tpm_limit: z.optional(z.nullable(count)),
  max_parallel_requests: z.optional(z.nullable(count)),
  model_rpm_limit: z.optional(z.nullable(z.record(z.string(), count))),
  model_tpm_limit: z.optional(z.nullable(z.record(z.string(), count))),
  max_budget: z.optional(z.nullable(usd)),
  budget_duration: z.optional(z.nullable(z.string())),
  soft_budget: z.optional(z.nullable(usd)),
  model_max_budget: z.optional(z.nullable(z.record(z.string(), z.object({ budget_limit: usd, time_period: z.optional(z.string()) })))),
  team_id: z.optional(z.nullable(z.string().check(z.minLength(1)))),
  temp_budget_increase: z.optional(z.nullable(usd)),
  temp_budget_expiry: z.optional(z.nullable(z.string())),
  blocked: z.optional(z.boolean()),
  metadata: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  user_id: z.optional(z.nullable(z.string().check(z.minLength(1)))),
  /** Per-key model aliases, applied before routing: {"gpt-4": "gpt-4o-mini"}. */
  aliases: z.optional(z.nullable(z.record(z.string().check(z.minLength(1)), z.string().check(z.minLength(1))))),
  tags: z.optional(z.nullable(z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.maxLength(100)))),
  key_type: z.optional(z.enum(KEY_TYPES)),
  allowed_cache_controls: z.optional(z.nullable(z.array(z.enum(CACHE_CONTROL_NAMES)))),
  allowed_routes: z.optional(
    z.nullable(
      z.array(
        z.string().check(
          z.refine((r) => r.startsWith("/") || (ROUTE_GROUPS as readonly string[]).includes(r), {
            message: `each entry is a path starting with '/' (a trailing '*' matches a prefix) or one of ${ROUTE_GROUPS.join(", ")}`,
          }),
        ),
      ),
    ),
  ),
};

export const generateSchema = z.object(fields);
export const updateSchema = z.object({ key: z.string().check(z.minLength(1)), ...fields });

export type KeyFields = z.infer<typeof generateSchema>;

/** Validates a key body: fields not supported yet and unknown fields are a 400 naming them. */
export function parseKeyBody<T>(schema: z.ZodMiniType<T>, body: unknown, extra: readonly string[] = []): T {
  return parseAdminBody(schema, body, NOT_YET, extra);
}

/** temp_budget_expiry: an ISO date (or date-time) -> unix ms. */
export function expiryDate(value: string | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidRequest(`Invalid temp_budget_expiry '${value}': use an ISO date such as 2026-12-31.`, "temp_budget_expiry");
  return ms;
}

/** `duration` -> absolute expiry (unix ms), `null` for never; undefined when the field was not given. */
export function expiryFrom(duration: string | null | undefined): number | null | undefined {
  const now = Date.now();
  if (duration === undefined) return undefined;
  if (duration === null) return null;
  const ms = parseDuration(duration);
  if (ms === undefined) throw invalidRequest(`Invalid duration '${duration}': use e.g. 30s, 30m, 1h, 1d, 7d or 1mo.`, "duration");
  return now + ms;
}
