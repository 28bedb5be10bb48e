import { invalidRequest } from "../../http/errors";
import { type ImageBudget, imageBytes, parseDataUrl } from "../shared/images";
import type { Part } from "./types";

type Obj = Record<string, unknown>;

/** What one request's media may use: its image fetches, and the gs:// buckets the deployment allows. */
export interface MediaPolicy {
  budget: ImageBudget;
  /** litellm_params.allowed_gcs_buckets: the only buckets a gs:// URI may name (none by default). */
  gcsBuckets: ReadonlySet<string>;
}

/**
 * A `gs://` URI, checked against the deployment's allowed buckets: Google reads it with the
 * project's own identity, so an unchecked one lets any key read any object the project can.
 */
function gcsUri(uri: string, param: string, policy: MediaPolicy): string {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])\/(.+)$/.exec(uri);
  if (!m || !policy.gcsBuckets.has(m[1]!)) {
    throw invalidRequest(
      `The gs:// URI at '${param}' names a bucket this deployment does not allow: list it in the deployment's litellm_params.allowed_gcs_buckets, or send the file inline (a data: URL).`,
      param,
    );
  }
  return uri;
}

/** MIME types guessed from a `gs://` object's extension (Gemini wants one with `fileData`). */
const EXTENSION_TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
  txt: "text/plain",
  mp3: "audio/mp3",
  wav: "audio/wav",
  flac: "audio/flac",
  mp4: "video/mp4",
  mov: "video/mov",
};

function fileUriPart(uri: string, mimeType?: string): Part {
  const ext = /\.([a-z0-9]+)$/i.exec(uri)?.[1]?.toLowerCase();
  const type = mimeType ?? (ext ? EXTENSION_TYPES[ext] : undefined);
  return { fileData: type ? { mimeType: type, fileUri: uri } : { fileUri: uri } };
}

/**
 * An OpenAI image URL as a Gemini part: a `data:` URL as inlineData, a `gs://` URI as fileData
 * (Google reads it itself), an `https` URL fetched by the gateway (Gemini takes no web URLs) into
 * inlineData, with imageBytes()'s limits and refusals.
 */
async function imagePart(url: string, param: string, policy: MediaPolicy): Promise<Part> {
  if (/^gs:/i.test(url)) return fileUriPart(gcsUri(url, param, policy));
  if (url.startsWith("data:") && !parseDataUrl(url)) throw invalidRequest(`The image at '${param}' is not a base64 data: URL.`, param);
  const image = await imageBytes(url, param, policy.budget);
  return { inlineData: { mimeType: image.mediaType === "image/jpg" ? "image/jpeg" : image.mediaType, data: image.data } };
}

/** OpenAI's `file` part: `file_data` (a data: URL, e.g. a PDF) inline, or a `gs://` / https `file_id` by reference. */
function filePart(p: Obj, param: string, policy: MediaPolicy): Part {
  const file = p.file as Obj | undefined;
  if (!file || typeof file !== "object") throw invalidRequest(`The file part at '${param}' has no 'file' object.`, param);
  if (typeof file.file_data === "string") {
    const inline = parseDataUrl(file.file_data);
    if (!inline) throw invalidRequest(`The file at '${param}' must be a base64 data: URL.`, `${param}.file.file_data`);
    return { inlineData: { mimeType: inline.mediaType, data: inline.data } };
  }
  const id = file.file_id;
  if (typeof id === "string" && /^gs:/i.test(id)) return fileUriPart(gcsUri(id, `${param}.file.file_id`, policy), typeof file.format === "string" ? file.format : undefined);
  if (typeof id === "string" && /^https:\/\//.test(id)) return fileUriPart(id, typeof file.format === "string" ? file.format : undefined);
  throw invalidRequest(`The file part at '${param}' must carry 'file_data' (a data: URL) or a gs:// or https 'file_id'.`, `${param}.file`);
}

function audioPart(p: Obj, param: string): Part {
  const audio = p.input_audio as Obj | undefined;
  if (!audio || typeof audio.data !== "string" || typeof audio.format !== "string") {
    throw invalidRequest(`The audio part at '${param}' needs 'input_audio.data' (base64) and 'input_audio.format'.`, `${param}.input_audio`);
  }
  return { inlineData: { mimeType: `audio/${audio.format}`, data: audio.data } };
}

async function partOf(part: unknown, param: string, policy: MediaPolicy): Promise<Part | undefined> {
  if (!part || typeof part !== "object") throw invalidRequest(`The content part at '${param}' must be an object.`, param);
  const p = part as Obj;
  switch (p.type) {
    case "text":
    case "refusal": {
      const text = p.type === "text" ? p.text : p.refusal;
      if (typeof text !== "string") throw invalidRequest(`The ${p.type} part at '${param}' has no '${p.type}' string.`, param);
      return text ? { text } : undefined;
    }
    case "image_url": {
      const img = p.image_url;
      const url = typeof img === "string" ? img : img && typeof img === "object" ? (img as Obj).url : undefined;
      if (typeof url !== "string") throw invalidRequest(`The image part at '${param}' has no 'image_url.url'.`, `${param}.image_url.url`);
      return imagePart(url, `${param}.image_url.url`, policy);
    }
    case "file":
      return filePart(p, param, policy);
    case "input_audio":
      return audioPart(p, param);
    default:
      throw invalidRequest(`The content part type '${String(p.type)}' at '${param}' is not supported by gemini.`, `${param}.type`);
  }
}

/** A message's content (a string or OpenAI content parts) as Gemini parts; empty text is left out. Images are fetched in parallel. */
export async function contentParts(content: unknown, param: string, policy: MediaPolicy): Promise<Part[]> {
  if (content == null) return [];
  if (typeof content === "string") return content ? [{ text: content }] : [];
  if (!Array.isArray(content)) throw invalidRequest(`'${param}' must be a string or an array of content parts.`, param);
  const parts = await Promise.all(content.map((part, i) => partOf(part, `${param}[${i}]`, policy)));
  return parts.filter((p): p is Part => p !== undefined);
}

/** Text-only content (system and assistant messages): other part types are a 400. */
export function textParts(content: unknown, param: string, what: string, policy: MediaPolicy): Promise<Part[]> {
  if (Array.isArray(content)) {
    const i = content.findIndex((p) => !p || typeof p !== "object" || ((p as Obj).type !== "text" && (p as Obj).type !== "refusal"));
    if (i >= 0) throw invalidRequest(`${what} may hold only text for gemini ('${param}[${i}]' is not a text part).`, `${param}[${i}]`);
  }
  return contentParts(content, param, policy);
}
