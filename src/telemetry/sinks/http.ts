/** A delivery that failed: retried with backoff when `retryable`, else parked at once. */
export class SinkError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** The bindings, as the sinks read them (strings only). */
export type Bindings = Record<string, unknown>;

export const binding = (env: Bindings, ...names: string[]): string | undefined => {
  for (const n of names) {
    const v = env[n];
    if (typeof v === "string" && v.trim()) return v.trim();
  }
  return undefined;
};

/**
 * Headers written as OpenTelemetry's OTEL_EXPORTER_OTLP_HEADERS does (and LiteLLM's OTEL_HEADERS,
 * GENERIC_LOGGER_HEADERS): `key=value` pairs separated by commas, values URL-encoded.
 */
export function headerList(text: string | undefined, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const part of text.split(",")) {
    if (!part.trim()) continue;
    const eq = part.indexOf("=");
    if (eq <= 0) throw new SinkError(`${name}: '${part.trim().slice(0, 40)}' is not key=value`, false);
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      /* kept as written */
    }
    out[part.slice(0, eq).trim()] = value;
  }
  return out;
}

const TIMEOUT_MS = 10_000;

/** POSTs a body; a 2xx is delivered, 408/429/5xx and network errors are retryable, other statuses not. */
export async function post(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new SinkError(`${new URL(url).host}: ${e instanceof Error ? e.message : String(e)}`, true);
  }
  if (res.ok) return res;
  const text = (await res.text().catch(() => "")).slice(0, 300);
  throw new SinkError(`${new URL(url).host} answered ${res.status}${text ? `: ${text}` : ""}`, res.status === 408 || res.status === 429 || res.status >= 500);
}

export const basicAuth = (user: string, password: string): string => `Basic ${btoa(`${user}:${password}`)}`;
