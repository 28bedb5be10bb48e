/** general_settings.batch_settings and max_file_size_mb: files and gateway-run batches. */
export interface BatchSettings {
  /** general_settings.max_file_size_mb (default 100): the largest upload to /v1/files, apart from max_request_size_mb. */
  maxFileBytes: number;
  /** Seconds a line that the key's rate limits refused waits at most before it is tried again (the guard's retry-after, capped). */
  paceDelaySeconds: number;
  /** Seconds a line that failed in a retryable way (429, 408, 5xx) waits before its next run. */
  retryDelaySeconds: number;
  /** Runs a line gets before a retryable failure goes to the error file. */
  maxLineAttempts: number;
  /** Seconds a batch has to finish from its creation (completion_window "24h"); lines still waiting then expire. */
  completionWindowSeconds: number;
  /** Lines one consumer run works on at once. */
  concurrency: number;
  /**
   * Native forwarding to OpenAI and Azure's own Batch API (src/batches/native/): `off` never;
   * `on_request` when the batch asks with `custom_llm_provider` (LiteLLM's field); `auto` every
   * batch whose lines all call one OpenAI or Azure model group.
   */
  native: NativeMode;
  /** Seconds between two polls of a native batch's upstream status. */
  nativePollSeconds: number;
}

const NATIVE_MODES = ["off", "on_request", "auto"] as const;
type NativeMode = (typeof NATIVE_MODES)[number];

export const DEFAULT_BATCH_SETTINGS: BatchSettings = {
  maxFileBytes: 100 * 1024 * 1024,
  paceDelaySeconds: 60,
  retryDelaySeconds: 30,
  maxLineAttempts: 3,
  completionWindowSeconds: 24 * 3600,
  concurrency: 10,
  native: "off",
  nativePollSeconds: 60,
};

const KEYS: Record<string, [Exclude<keyof BatchSettings, "native">, number, number]> = {
  pace_delay_seconds: ["paceDelaySeconds", 1, 3600],
  retry_delay_seconds: ["retryDelaySeconds", 0, 3600],
  max_line_attempts: ["maxLineAttempts", 1, 20],
  completion_window_seconds: ["completionWindowSeconds", 1, 7 * 24 * 3600],
  concurrency: ["concurrency", 1, 50],
  native_poll_seconds: ["nativePollSeconds", 1, 3600],
};

const NAMES = [...Object.keys(KEYS), "native"].join(", ");

/** Reads the two settings; a bad value is an error string naming it. */
export function parseBatchSettings(general: Record<string, unknown>): BatchSettings | string {
  const out = { ...DEFAULT_BATCH_SETTINGS };
  const mb = general.max_file_size_mb;
  if (mb !== undefined) {
    if (typeof mb !== "number" || !(mb > 0)) return "general_settings.max_file_size_mb: must be a positive number";
    out.maxFileBytes = Math.floor(mb * 1024 * 1024);
  }
  const raw = general.batch_settings;
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== "object" || Array.isArray(raw)) return `general_settings.batch_settings: must be a mapping of ${NAMES}`;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k === "native") {
      // `false` is `off` (a YAML 1.1 writer turns a bare off into false); `true` says too little.
      if (v === false) {
        out.native = "off";
        continue;
      }
      if (!(NATIVE_MODES as readonly unknown[]).includes(v)) return `general_settings.batch_settings.native: must be one of ${NATIVE_MODES.join(", ")}`;
      out.native = v as NativeMode;
      continue;
    }
    const spec = KEYS[k];
    if (!spec) return `general_settings.batch_settings.${k}: unknown setting; known: ${NAMES}`;
    const [field, min, max] = spec;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) return `general_settings.batch_settings.${k}: must be a whole number from ${min} to ${max}`;
    out[field] = v;
  }
  return out;
}
