import { invalidRequest } from "../../http/errors";

export interface ImageBytes {
  mediaType: string;
  /** Base64 of the bytes. */
  data: string;
}

const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 10_000;

/** A `data:<type>;base64,<data>` URL, split; undefined for any other URL. */
export function parseDataUrl(url: string): ImageBytes | undefined {
  const m = /^data:([\w.+-]+\/[\w.+-]+)?(?:;[\w-]+=[^;,]*)*;base64,(.*)$/s.exec(url);
  if (!m) return undefined;
  return { mediaType: m[1] ?? "application/octet-stream", data: m[2]!.replace(/\s/g, "") };
}

function isPrivateHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost") || h.endsWith(".local") || h.endsWith(".internal")) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  if (h.includes(":")) {
    return h === "::" || h === "::1" || h.startsWith("fc") || h.startsWith("fd") || h.startsWith("fe80") || h.startsWith("::ffff:");
  }
  return /^\d+$/.test(h); // a bare integer host is an IPv4 address in disguise
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * An image for a provider that needs its bytes: a data URL is decoded; an `https` URL is fetched
 * with no redirects followed, never from loopback, private or link-local hosts, within a size
 * and time limit. Every refusal is a 400 naming `param`.
 */
export async function imageBytes(url: string, param: string): Promise<ImageBytes> {
  const inline = parseDataUrl(url);
  if (inline) return inline;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidRequest(`The image URL at '${param}' is not a valid URL.`, param);
  }
  if (parsed.protocol !== "https:") throw invalidRequest(`The image URL at '${param}' must use https (or be a data: URL).`, param);
  if (isPrivateHost(parsed.hostname)) throw invalidRequest(`The image URL at '${param}' points at a private or local address.`, param);
  let res: Response;
  try {
    res = await fetch(parsed.toString(), { redirect: "manual", signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (e) {
    const reason = e instanceof Error && /timeout|abort/i.test(`${e.name} ${e.message}`) ? "took too long" : "could not be fetched";
    throw invalidRequest(`The image at '${param}' ${reason}.`, param);
  }
  if (res.status >= 300 && res.status < 400) throw invalidRequest(`The image URL at '${param}' redirects; redirects are not followed.`, param);
  if (!res.ok) throw invalidRequest(`The image at '${param}' could not be fetched (HTTP ${res.status}).`, param);
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > MAX_IMAGE_BYTES) throw invalidRequest(`The image at '${param}' is larger than ${MAX_IMAGE_BYTES} bytes.`, param);
  const reader = res.body?.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_IMAGE_BYTES) {
        await reader.cancel();
        throw invalidRequest(`The image at '${param}' is larger than ${MAX_IMAGE_BYTES} bytes.`, param);
      }
      parts.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  const mediaType = (res.headers.get("content-type") ?? "image/jpeg").split(";")[0]!.trim();
  if (!mediaType.startsWith("image/")) throw invalidRequest(`The URL at '${param}' is not an image (${mediaType}).`, param);
  return { mediaType, data: toBase64(bytes) };
}
