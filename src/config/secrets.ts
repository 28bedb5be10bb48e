import { configError } from "../http/errors";

const PREFIX = "enc:v1:";

/** A litellm_param whose value is a secret (api_key, aws_secret_access_key, vertex_credentials, ...). */
const isSecretParam = (name: string) => /(^|_)(key|secret|token|credentials|password)(_|$)/i.test(name);

/** The binding whose value keys the encryption of stored secrets (LiteLLM's name as an alias). */
export function saltKey(env: Record<string, unknown>): string | undefined {
  const v = env.SWITCHYARD_SALT_KEY ?? env.LITELLM_SALT_KEY;
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

const keys = new Map<string, Promise<CryptoKey>>();

function aesKey(salt: string): Promise<CryptoKey> {
  let k = keys.get(salt);
  if (!k) {
    k = crypto.subtle.digest("SHA-256", new TextEncoder().encode(salt)).then((raw) => crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]));
    keys.set(salt, k);
  }
  return k;
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** AES-GCM with a random IV: `enc:v1:<base64(iv || ciphertext)>`. */
export async function encryptSecret(value: string, salt: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await aesKey(salt), new TextEncoder().encode(value)));
  const out = new Uint8Array(iv.length + ct.length);
  out.set(iv);
  out.set(ct, iv.length);
  return PREFIX + b64(out);
}

export async function decryptSecret(value: string, salt: string): Promise<string> {
  const bytes = unb64(value.slice(PREFIX.length));
  const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.subarray(0, 12) }, await aesKey(salt), bytes.subarray(12));
  return new TextDecoder().decode(pt);
}

export const isEncrypted = (v: unknown): v is string => typeof v === "string" && v.startsWith(PREFIX);

/** Encrypts the secret params (os.environ/ references stay as they are: they hold no secret). */
export async function sealParams(params: Record<string, unknown>, env: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === "string" && isSecretParam(k) && !v.startsWith("os.environ/") && !isEncrypted(v)) {
      const salt = saltKey(env);
      if (!salt) throw configError(`Storing '${k}' needs the SWITCHYARD_SALT_KEY secret (the key that encrypts stored credentials). Set it, or pass os.environ/NAME instead.`);
      out[k] = await encryptSecret(v, salt);
    } else out[k] = v;
  }
  return out;
}

/** The params with their secrets decrypted; one that cannot be read becomes a missing-secret reference. */
export async function openParams(params: Record<string, unknown>, env: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (!isEncrypted(v)) {
      out[k] = v;
      continue;
    }
    const salt = saltKey(env);
    try {
      out[k] = salt ? await decryptSecret(v, salt) : "os.environ/SWITCHYARD_SALT_KEY";
    } catch {
      out[k] = "os.environ/SWITCHYARD_SALT_KEY_(does_not_decrypt_stored_secret)";
    }
  }
  return out;
}

/** The params as an admin may see them: secrets never leave the gateway. */
export function maskParams(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (isSecretParam(k) && typeof v === "string" && !v.startsWith("os.environ/")) continue;
    out[k] = v;
  }
  return out;
}
