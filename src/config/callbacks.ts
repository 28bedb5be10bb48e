import * as z from "zod/mini";
import { formatPath } from "../api/parse";

/** Callback names Switchyard delivers to (LiteLLM's names); `prometheus` turns on the /metrics aggregation. */
export const SINK_NAMES = ["otel", "langfuse", "langfuse_otel", "webhook", "generic_api", "s3", "datadog"] as const;
export type SinkName = (typeof SINK_NAMES)[number];
const CALLBACK_NAMES: readonly string[] = [...SINK_NAMES, "prometheus"];

/** LiteLLM's alert_types Switchyard raises today. */
const ALERT_TYPES = ["budget_alerts", "llm_exceptions", "outage_alerts", "cooldown_deployment"] as const;

/** The observability part of the config, resolved. */
export interface TelemetrySettings {
  /** Callbacks run for a successful call (litellm_settings.callbacks + success_callback). */
  onSuccess: string[];
  /** Callbacks run for a failed call (litellm_settings.callbacks + failure_callback). */
  onFailure: string[];
  /** Message content is exported only when litellm_settings.turn_off_message_logging is false, explicitly. */
  logMessages: boolean;
  /** litellm_settings.s3_callback_params.s3_path: the key prefix in the R2 bucket. */
  s3Path: string;
  /** litellm_settings.enable_end_user_cost_tracking_prometheus_only: the end_user label carries the request's `user`. */
  endUserLabel: boolean;
  /** Export delivery (general_settings.callback_delivery). */
  delivery: { backoffSeconds: number; maxBackoffSeconds: number; maxAttempts: number };
  /** general_settings.alerting, alert_types and alerting_args. */
  alerting: {
    slack: boolean;
    webhook: boolean;
    types: Set<string>;
    /** Seconds an alert of one kind and subject stays silent after it was sent. */
    budgetAlertTtl: number;
    outageAlertTtl: number;
    /** Failed calls of one deployment within outage_alert_ttl that raise an outage alert. */
    minorOutageThreshold: number;
  };
}

export function defaultTelemetry(): TelemetrySettings {
  return {
    onSuccess: [],
    onFailure: [],
    logMessages: false,
    s3Path: "",
    endUserLabel: false,
    delivery: { backoffSeconds: 5, maxBackoffSeconds: 300, maxAttempts: 6 },
    alerting: { slack: false, webhook: false, types: new Set(ALERT_TYPES), budgetAlertTtl: 86_400, outageAlertTtl: 60, minorOutageThreshold: 5 },
  };
}

const names = z.array(z.string());
const seconds = z.number().check(z.minimum(0, "must be a number of seconds >= 0"));

/** The litellm_settings keys read here (part of settings-schemas.ts's litellmSettingsSchema). */
export const callbackLitellmSchema = z.object({
  callbacks: z.optional(names),
  success_callback: z.optional(names),
  failure_callback: z.optional(names),
  turn_off_message_logging: z.optional(z.boolean()),
  s3_callback_params: z.optional(z.record(z.string(), z.unknown())),
  enable_end_user_cost_tracking_prometheus_only: z.optional(z.boolean()),
});

/** The general_settings keys read here (part of settings-schemas.ts's generalSettingsSchema). */
export const callbackGeneralSchema = z.object({
  alerting: z.optional(z.array(z.string())),
  alert_types: z.optional(z.array(z.string())),
  alerting_args: z.optional(z.record(z.string(), z.unknown())),
  callback_delivery: z.optional(
    z.strictObject({
      backoff_seconds: z.optional(seconds),
      max_backoff_seconds: z.optional(seconds),
      max_attempts: z.optional(z.int().check(z.minimum(1, "must be a whole number >= 1"))),
    }),
  ),
});

const ALERTING_ARGS: Record<string, (t: TelemetrySettings["alerting"], v: number) => void> = {
  budget_alert_ttl: (t, v) => (t.budgetAlertTtl = v),
  outage_alert_ttl: (t, v) => (t.outageAlertTtl = v),
  minor_outage_alert_threshold: (t, v) => (t.minorOutageThreshold = v),
};

function pick(raw: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (raw[k] !== undefined && raw[k] !== null) out[k] = raw[k];
  return out;
}

/**
 * Resolves the callback, message-logging and alerting settings. A bad value is an error (a string
 * naming the path); a callback, alert type or argument Switchyard does not have yet is listed in
 * `unsupported` and not run.
 */
export function parseTelemetry(litellmRaw: Record<string, unknown>, generalRaw: Record<string, unknown>, unsupported: string[]): TelemetrySettings | string {
  const out = defaultTelemetry();
  const l = callbackLitellmSchema.safeParse(pick(litellmRaw, Object.keys(callbackLitellmSchema.shape)));
  if (!l.success) return `litellm_settings.${formatPath(l.error.issues[0]!.path)}: ${l.error.issues[0]!.message}`;
  const g = callbackGeneralSchema.safeParse(pick(generalRaw, Object.keys(callbackGeneralSchema.shape)));
  if (!g.success) return `general_settings.${formatPath(g.error.issues[0]!.path)}: ${g.error.issues[0]!.message}`;
  const lit = l.data;
  const gen = g.data;

  const known = (list: string[] | undefined, path: string): string[] => {
    const kept: string[] = [];
    for (const name of list ?? []) {
      if (CALLBACK_NAMES.includes(name)) {
        if (!kept.includes(name)) kept.push(name);
      } else unsupported.push(`${path}: callback '${name}' is not supported yet; not run`);
    }
    return kept;
  };
  const both = known(lit.callbacks, "litellm_settings.callbacks");
  out.onSuccess = [...new Set([...both, ...known(lit.success_callback, "litellm_settings.success_callback")])];
  out.onFailure = [...new Set([...both, ...known(lit.failure_callback, "litellm_settings.failure_callback")])];
  out.logMessages = lit.turn_off_message_logging === false;
  out.endUserLabel = lit.enable_end_user_cost_tracking_prometheus_only === true;
  for (const [k, v] of Object.entries(lit.s3_callback_params ?? {})) {
    if (k === "s3_path") {
      if (typeof v !== "string") return "litellm_settings.s3_callback_params.s3_path: must be a string";
      out.s3Path = v.replace(/^\/+|\/+$/g, "");
    } else unsupported.push(`litellm_settings.s3_callback_params.${k}: not used; the s3 callback writes to the R2 bucket bound as LOG_BUCKET`);
  }

  for (const target of gen.alerting ?? []) {
    if (target === "slack") out.alerting.slack = true;
    else if (target === "webhook") out.alerting.webhook = true;
    else unsupported.push(`general_settings.alerting: '${target}' is not supported yet; use slack or webhook`);
  }
  if (gen.alert_types) {
    out.alerting.types = new Set();
    for (const t of gen.alert_types) {
      if ((ALERT_TYPES as readonly string[]).includes(t)) out.alerting.types.add(t);
      else unsupported.push(`general_settings.alert_types: '${t}' is not supported yet; not sent`);
    }
  }
  for (const [k, v] of Object.entries(gen.alerting_args ?? {})) {
    const set = ALERTING_ARGS[k];
    if (!set) unsupported.push(`general_settings.alerting_args.${k}: not supported yet; ignored`);
    else if (typeof v !== "number" || v < 0) return `general_settings.alerting_args.${k}: must be a number >= 0`;
    else set(out.alerting, v);
  }
  const d = gen.callback_delivery;
  if (d?.backoff_seconds !== undefined) out.delivery.backoffSeconds = d.backoff_seconds;
  if (d?.max_backoff_seconds !== undefined) out.delivery.maxBackoffSeconds = d.max_backoff_seconds;
  if (d?.max_attempts !== undefined) out.delivery.maxAttempts = d.max_attempts;
  return out;
}
