/**
 * LiteLLM's `general_settings.custom_auth` on Workers: instead of a Python module path, the hook is
 * another Worker reached through a Service Binding (`service:<BINDING>`) or an HTTPS endpoint
 * (`https://...`). `custom_auth_settings.mode`: `auto` (the default here) lets the master key,
 * JWTs and stored keys through first and asks the hook about anything else; `on` asks the hook
 * about every request but the master key's. `custom_auth_timeout` (seconds, default 2) bounds
 * each call. The hook fails closed: a config problem, an error, a timeout or a malformed answer is
 * a 503, `allow: false` a 401.
 */
export interface CustomAuthSettings {
  /** Why the hook cannot be called (every request it would see is refused with 503). */
  error?: string;
  /** `service:` JSON over the binding's fetch; `rpc:` the binding's `authenticate()` method (a WorkerEntrypoint); `url`: JSON over HTTPS. */
  target: { kind: "service" | "rpc"; binding: string } | { kind: "url"; url: string };
  mode: "auto" | "on";
  timeoutMs: number;
}

/** The hook's settings when `custom_auth` is set; throws a `path: problem` string for a malformed value. */
export function parseCustomAuth(general: Record<string, unknown>, env: Record<string, unknown>): CustomAuthSettings | undefined {
  const raw = general.custom_auth;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "string" || !raw) throw "general_settings.custom_auth: must be service:<BINDING>, rpc:<BINDING> or an https:// URL";
  const out: CustomAuthSettings = { target: { kind: "url", url: raw }, mode: "auto", timeoutMs: 2000 };
  const settings = general.custom_auth_settings ?? {};
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) throw "general_settings.custom_auth_settings: must be a mapping, e.g. {mode: auto}";
  for (const [k, v] of Object.entries(settings as Record<string, unknown>)) {
    if (k !== "mode") throw `general_settings.custom_auth_settings.${k}: not supported (only mode)`;
    if (v !== "auto" && v !== "on") throw "general_settings.custom_auth_settings.mode: must be auto or on ('off': remove custom_auth)";
    out.mode = v;
  }
  const t = general.custom_auth_timeout;
  if (t !== undefined) {
    if (typeof t !== "number" || !Number.isFinite(t) || t <= 0 || t > 30) throw "general_settings.custom_auth_timeout: must be a number of seconds in (0, 30]";
    out.timeoutMs = t * 1000;
  }
  const via = /^(service|rpc):/.exec(raw)?.[1] as "service" | "rpc" | undefined;
  if (via) {
    const binding = raw.slice(via.length + 1);
    out.target = { kind: via, binding };
    const b = env[binding] as { fetch?: unknown } | undefined;
    if (!binding || typeof b?.fetch !== "function") out.error = `general_settings.custom_auth names the Service Binding '${binding}', which is not bound to this Worker (wrangler.toml [[services]]).`;
  } else if (!/^https:\/\/[^/\s]+/i.test(raw)) {
    out.error = `general_settings.custom_auth: '${raw.slice(0, 100)}' is not service:<BINDING>, rpc:<BINDING> or an https:// URL (a Python module path cannot run on Workers: port the function to a Worker and bind it).`;
  }
  return out;
}
