import type { Deployment } from "../../config/deployment";
import { configError } from "../../http/errors";

/** The fields of a Google service-account key file the gateway uses. */
export interface ServiceAccount {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri: string;
  project_id?: string;
}

const DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token";

const parsedCache = new WeakMap<object, ServiceAccount>();
const textCache = new Map<string, ServiceAccount>();

function fromObject(o: Record<string, unknown>, dep: Deployment): ServiceAccount {
  const where = `vertex_credentials of deployment '${dep.id}'`;
  if (o.type !== undefined && o.type !== "service_account") {
    throw configError(`The ${where} is a '${String(o.type)}' credential; the gateway takes a service-account key (type "service_account").`);
  }
  if (typeof o.client_email !== "string" || !o.client_email) throw configError(`The ${where} has no 'client_email'.`);
  if (typeof o.private_key !== "string" || !o.private_key.includes("PRIVATE KEY")) throw configError(`The ${where} has no PEM 'private_key'.`);
  const tokenUri = typeof o.token_uri === "string" && o.token_uri ? o.token_uri : DEFAULT_TOKEN_URI;
  if (!tokenUri.startsWith("https://")) throw configError(`The ${where} has a 'token_uri' that is not https.`);
  return {
    client_email: o.client_email,
    private_key: o.private_key,
    private_key_id: typeof o.private_key_id === "string" ? o.private_key_id : undefined,
    token_uri: tokenUri,
    project_id: typeof o.project_id === "string" ? o.project_id : undefined,
  };
}

/**
 * The deployment's service account, from `vertex_credentials`: the key file's JSON text (usually
 * through os.environ/NAME) or the same as a YAML mapping. Undefined when none is set. A value that
 * cannot be used is a 503 config_error that never quotes the value.
 */
export function serviceAccount(dep: Deployment): ServiceAccount | undefined {
  const raw = dep.params.vertex_credentials;
  if (raw == null || raw === "") return undefined;
  if (typeof raw === "object" && !Array.isArray(raw)) {
    let sa = parsedCache.get(raw);
    if (!sa) parsedCache.set(raw, (sa = fromObject(raw as Record<string, unknown>, dep)));
    return sa;
  }
  if (typeof raw !== "string") throw configError(`The vertex_credentials of deployment '${dep.id}' must be the service-account JSON.`);
  const cached = textCache.get(raw);
  if (cached) return cached;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw configError(
      `The vertex_credentials of deployment '${dep.id}' is not JSON: give the service-account key file's JSON text (e.g. os.environ/VERTEX_CREDENTIALS); file paths cannot be read on Workers.`,
    );
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw configError(`The vertex_credentials of deployment '${dep.id}' must be a JSON object.`);
  const sa = fromObject(parsed as Record<string, unknown>, dep);
  if (textCache.size >= 64) textCache.clear();
  textCache.set(raw, sa);
  return sa;
}
