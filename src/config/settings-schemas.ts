import * as z from "zod/mini";
import { formatPath } from "../api/parse";
import { callbackGeneralSchema, callbackLitellmSchema } from "./callbacks";

/**
 * One schema per settings section: its shape is the list of keys Switchyard honours (any other key
 * is reported at /health/readiness as not supported yet) and the first check of each value's type.
 * The deep checks (ranges, durations, names, bindings) stay in each part's parse function, and a
 * type failure here carries the same message that parse function gives for it.
 *
 * `unknown` marks a key whose value is checked only when another key turns its part on (for
 * example custom_auth_settings without custom_auth) or whose check depends on a binding
 * (master_key, which the MASTER_KEY binding overrides): checking its type here would refuse a
 * config the gateway accepts today.
 */

type Test<T> = (v: unknown) => v is T;
const isNumber: Test<number> = (v): v is number => typeof v === "number";
const isBoolean: Test<boolean> = (v): v is boolean => typeof v === "boolean";
const isString: Test<string> = (v): v is string => typeof v === "string";
const isList: Test<unknown[]> = (v): v is unknown[] => Array.isArray(v);
const isMapping: Test<Record<string, unknown>> = (v): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** A key that may be left out; `null` is refused with `message`, as its parse function does. */
const typed = <T>(test: Test<T>, message: string) => z.optional(z.custom<T>(test, { error: message }));
/** A key that may be left out or null (its parse function treats null as unset). */
const nullable = <T>(test: Test<T>, message: string) => z.optional(z.nullable(z.custom<T>(test, { error: message })));
/** Read by a parse function that checks it only when its part is on. */
const unchecked = () => z.optional(z.unknown());

const BOOL = "must be true or false";
const WHOLE = "must be a whole number >= 0";
const SECONDS = "must be a number of seconds >= 0";
const FALLBACKS = "must be a list of {model_group: [fallback groups]}";

/** Keys LiteLLM reads from router_settings and from litellm_settings alike (router_settings wins). */
const sharedRouterShape = {
  num_retries: typed(isNumber, WHOLE),
  allowed_fails: typed(isNumber, WHOLE),
  cooldown_time: typed(isNumber, SECONDS),
  fallbacks: typed(isList, FALLBACKS),
  context_window_fallbacks: typed(isList, FALLBACKS),
  content_policy_fallbacks: typed(isList, FALLBACKS),
  default_fallbacks: typed(isList, "must be a list of model groups"),
};

/** Nullable copies of a part's own schema (its parse function drops null values before parsing). */
function nullableShape<S extends Record<string, z.ZodMiniType>>(shape: S): { [K in keyof S]: z.ZodMiniOptional<z.ZodMiniNullable<S[K]>> } {
  const out: Record<string, z.ZodMiniType> = {};
  for (const [k, v] of Object.entries(shape)) out[k] = z.optional(z.nullable(v));
  return out as { [K in keyof S]: z.ZodMiniOptional<z.ZodMiniNullable<S[K]>> };
}

export const routerSettingsSchema = z.object({
  routing_strategy: typed(isString, "must be a string"),
  ...sharedRouterShape,
  retry_after: typed(isNumber, SECONDS),
  max_fallbacks: typed(isNumber, WHOLE),
  model_group_alias: typed(isMapping, "must map alias names to model groups"),
});

export const litellmSettingsSchema = z.object({
  drop_params: typed(isBoolean, BOOL),
  request_timeout: typed(isNumber, "must be a positive number of seconds"),
  model_max_budget: typed(isMapping, "must map model groups to {budget_limit, time_period}"),
  cache: nullable(isBoolean, BOOL),
  cache_params: unchecked(),
  ...sharedRouterShape,
  ...nullableShape(callbackLitellmSchema.shape),
});

const IMAGE_LIMIT = "must be a number >= 0 (0 turns image URL fetching off)";

export const generalSettingsSchema = z.object({
  master_key: unchecked(),
  max_request_size_mb: typed(isNumber, "must be a positive number"),
  disable_spend_logs: typed(isBoolean, BOOL),
  reserved_completion_tokens: typed(isNumber, "must be a whole number >= 1"),
  maximum_spend_logs_retention_period: typed(isString, "use e.g. 7d, 30d, 1mo"),
  store_prompts_in_spend_logs: typed(isBoolean, BOOL),
  allowed_stored_model_secrets: nullable(isList, "must be a list of binding names, e.g. [OPENAI_API_KEY]"),
  max_images_per_request: typed(isNumber, IMAGE_LIMIT),
  max_image_bytes_per_request_mb: typed(isNumber, IMAGE_LIMIT),
  max_image_url_download_size_mb: typed(isNumber, IMAGE_LIMIT),
  max_file_size_mb: typed(isNumber, "must be a positive number"),
  batch_settings: unchecked(),
  enable_jwt_auth: nullable(isBoolean, BOOL),
  litellm_jwtauth: unchecked(),
  enforce_user_param: typed(isBoolean, BOOL),
  custom_auth: nullable(isString, "must be service:<BINDING>, rpc:<BINDING> or an https:// URL"),
  custom_auth_settings: unchecked(),
  custom_auth_timeout: unchecked(),
  cloudflare_access: nullable(isMapping, "must be {team_domain, aud}"),
  ...nullableShape(callbackGeneralSchema.shape),
  background_health_checks: nullable(isBoolean, BOOL),
  health_check_interval: nullable(isNumber, "must be a number of seconds >= 10"),
  health_check_details: nullable(isBoolean, BOOL),
  pass_through_endpoints: nullable(isList, "must be a list of {path, target, headers}"),
});

export const SETTINGS_SCHEMAS = {
  router_settings: routerSettingsSchema,
  litellm_settings: litellmSettingsSchema,
  general_settings: generalSettingsSchema,
} as const;

export type SettingsSection = keyof typeof SETTINGS_SCHEMAS;
export const SETTINGS_SECTIONS = Object.keys(SETTINGS_SCHEMAS) as SettingsSection[];

/** The keys each section honours, from the schemas' shapes. */
export const SUPPORTED_SETTINGS: Record<SettingsSection, readonly string[]> = {
  router_settings: Object.keys(routerSettingsSchema.shape),
  litellm_settings: Object.keys(litellmSettingsSchema.shape),
  general_settings: Object.keys(generalSettingsSchema.shape),
};

/** The first type error of a section as `section.path: problem`, else undefined. Unknown keys are not errors. */
export function checkSection(section: SettingsSection, values: Record<string, unknown>): string | undefined {
  const r = SETTINGS_SCHEMAS[section].safeParse(values);
  if (r.success) return undefined;
  const issue = r.error.issues[0]!;
  return `${section}.${formatPath(issue.path)}: ${issue.message}`;
}
