export interface HealthSettings {
  /** general_settings.background_health_checks: a Durable Object alarm checks every deployment on a schedule. */
  background: boolean;
  /** general_settings.health_check_interval, in seconds (LiteLLM's default: 300). */
  intervalSeconds: number;
  /** general_settings.health_check_details (default true); false shows only each endpoint's model and id. */
  details: boolean;
}

export const defaultHealthSettings = (): HealthSettings => ({ background: false, intervalSeconds: 300, details: true });

/** Reads the health-check keys of general_settings; a bad value is the error string (the config is then unusable). */
export function parseHealthSettings(general: Record<string, unknown>): HealthSettings | string {
  const out = defaultHealthSettings();
  const { background_health_checks: bg, health_check_interval: interval, health_check_details: details } = general;
  if (bg !== undefined && bg !== null) {
    if (typeof bg !== "boolean") return "general_settings.background_health_checks: must be true or false";
    out.background = bg;
  }
  if (interval !== undefined && interval !== null) {
    if (typeof interval !== "number" || !Number.isFinite(interval) || interval < 10) return "general_settings.health_check_interval: must be a number of seconds >= 10";
    out.intervalSeconds = interval;
  }
  if (details !== undefined && details !== null) {
    if (typeof details !== "boolean") return "general_settings.health_check_details: must be true or false";
    out.details = details;
  }
  return out;
}
