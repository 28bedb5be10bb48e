import { invalidRequest } from "../../http/errors";
import { isForbiddenHost } from "./hosts";

interface ImageBytes {
  mediaType: string;
  /** Base64 of the bytes. */
  data: string;
}

const FETCH_TIMEOUT_MS = 10_000;

/** What one request may make the gateway fetch (general_settings; see README's Security section). */
export interface ImageLimits {
  /** Images fetched from URLs per request. */
  maxImages: number;
  /** Bytes of all fetched images of one request together. */
  maxTotalBytes: number;
  /** Bytes of one fetched image. */
  maxImageBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxImages: 16, maxTotalBytes: 50 * 1024 * 1024, maxImageBytes: 20 * 1024 * 1024 };

/**
 * One request's allowance of fetched images: their number and their bytes together, counted as
 * they stream in (the images of a request are fetched in parallel). Create one per upstream body.
 */
export class ImageBudget {
  private images = 0;
  private bytes = 0;
  constructor(readonly limits: ImageLimits = DEFAULT_IMAGE_LIMITS) {}

  /** Before a fetch: one image more. */
  take(param: string): void {
    if (++this.images > this.limits.maxImages) {
      throw invalidRequest(`The image at '${param}' is one too many: a request may fetch at most ${this.limits.maxImages} images from URLs (send the others as data: URLs, or fewer images).`, param);
    }
  }

  /** As bytes arrive: false once the request's images together pass the limit. */
  add(n: number): boolean {
    this.bytes += n;
    return this.bytes <= this.limits.maxTotalBytes;
  }
}

/** A `data:<type>;base64,<data>` URL, split; undefined for any other URL. */
export function parseDataUrl(url: string): ImageBytes | undefined {
  const m = /^data:([\w.+-]+\/[\w.+-]+)?(?:;[\w-]+=[^;,]*)*;base64,(.*)$/s.exec(url);
  if (!m) return undefined;
  return { mediaType: m[1] ?? "application/octet-stream", data: m[2]!.replace(/\s/g, "") };
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
export async function imageBytes(url: string, param: string, budget: ImageBudget = new ImageBudget()): Promise<ImageBytes> {
  const inline = parseDataUrl(url);
  if (inline) return inline;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidRequest(`The image URL at '${param}' is not a valid URL.`, param);
  }
  if (parsed.protocol !== "https:") throw invalidRequest(`The image URL at '${param}' must use https (or be a data: URL).`, param);
  if (isForbiddenHost(parsed.hostname)) throw invalidRequest(`The image URL at '${param}' points at a private or local address.`, param);
  if (parsed.username || parsed.password) throw invalidRequest(`The image URL at '${param}' may not carry credentials.`, param);
  budget.take(param);
  const maxImageBytes = budget.limits.maxImageBytes;
  const tooMuch = () => invalidRequest(`The images of this request together are larger than ${budget.limits.maxTotalBytes} bytes (at '${param}').`, param);
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
  if (declared > maxImageBytes) {
    await res.body?.cancel();
    throw invalidRequest(`The image at '${param}' is larger than ${maxImageBytes} bytes.`, param);
  }
  const reader = res.body?.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxImageBytes) {
        await reader.cancel();
        throw invalidRequest(`The image at '${param}' is larger than ${maxImageBytes} bytes.`, param);
      }
      if (!budget.add(value.byteLength)) {
        await reader.cancel();
        throw tooMuch();
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
