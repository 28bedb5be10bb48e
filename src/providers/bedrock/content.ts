import { invalidRequest } from "../../http/errors";
import { type ImageBudget, imageBytes, parseDataUrl } from "../shared/images";
import type { CachePoint, ContentBlock, ImageFormat } from "./types";

type Part = Record<string, unknown>;

const IMAGE_FORMATS: Readonly<Record<string, ImageFormat>> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

/** Converse document formats by media type (DocumentBlock.format). */
const DOCUMENT_FORMATS: Readonly<Record<string, string>> = {
  "application/pdf": "pdf",
  "text/csv": "csv",
  "text/html": "html",
  "text/plain": "txt",
  "text/markdown": "md",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
};

const CACHE_POINT: CachePoint = { cachePoint: { type: "default" } };

/** The client marked a part or message for prompt caching (LiteLLM's `cache_control` convention). */
const wantsCache = (o: unknown): boolean => {
  const cc = o && typeof o === "object" ? (o as { cache_control?: unknown }).cache_control : undefined;
  return !!cc && typeof cc === "object";
};

/** The blocks with a cache point after them when `o` asks for caching. */
export const withCachePoint = <T>(blocks: T[], o: unknown): Array<T | CachePoint> => (wantsCache(o) && blocks.length ? [...blocks, CACHE_POINT] : blocks);

/** An OpenAI image URL as a Converse image block: the bytes (a data: URL decoded, an https URL fetched by the gateway). */
export async function imageBlock(url: string, param: string, budget: ImageBudget): Promise<ContentBlock> {
  const img = await imageBytes(url, param, budget);
  const format = IMAGE_FORMATS[img.mediaType.toLowerCase()];
  if (!format) throw invalidRequest(`The image at '${param}' is ${img.mediaType}; bedrock takes png, jpeg, gif or webp images.`, param);
  return { image: { format, source: { bytes: img.data } } };
}

/** A document name Converse accepts: letters, digits, single spaces, hyphens, parentheses and brackets. */
function documentName(filename: unknown, fallback: string): string {
  const base = typeof filename === "string" ? filename.replace(/\.[^.]*$/, "") : "";
  const clean = base
    .replace(/[^a-zA-Z0-9\s\-()[\]]/g, "-")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200);
  return clean || fallback;
}

/** OpenAI's `file` part given as `file_data` (a data: URL) as a Converse document block. */
function documentBlock(part: Part, param: string, n: number): ContentBlock {
  const file = part.file as { file_data?: unknown; filename?: unknown } | undefined;
  if (!file || typeof file !== "object") throw invalidRequest(`The file part at '${param}' has no 'file' object.`, param);
  if (typeof file.file_data !== "string") {
    throw invalidRequest(`The file part at '${param}' must carry 'file_data' (a data: URL); file ids are not supported by bedrock.`, `${param}.file`);
  }
  const inline = parseDataUrl(file.file_data);
  if (!inline) throw invalidRequest(`The file at '${param}' must be a base64 data: URL.`, `${param}.file.file_data`);
  const format = DOCUMENT_FORMATS[inline.mediaType.toLowerCase()];
  if (!format) throw invalidRequest(`The file at '${param}' is ${inline.mediaType}, which bedrock does not take as a document.`, `${param}.file.file_data`);
  return { document: { format, name: documentName(file.filename, `document-${n}`), source: { bytes: inline.data } } };
}

async function partBlocks(part: unknown, param: string, index: number, budget: ImageBudget): Promise<ContentBlock[]> {
  if (!part || typeof part !== "object") throw invalidRequest(`The content part at '${param}' must be an object.`, param);
  const p = part as Part;
  switch (p.type) {
    case "text":
    case "refusal": {
      const text = p.type === "text" ? p.text : p.refusal;
      if (typeof text !== "string") throw invalidRequest(`The ${p.type} part at '${param}' has no '${p.type}' string.`, param);
      return withCachePoint(text ? [{ text }] : [], p);
    }
    case "image_url": {
      const img = p.image_url;
      const url = typeof img === "string" ? img : img && typeof img === "object" ? (img as { url?: unknown }).url : undefined;
      if (typeof url !== "string") throw invalidRequest(`The image part at '${param}' has no 'image_url.url'.`, `${param}.image_url.url`);
      return withCachePoint([await imageBlock(url, `${param}.image_url.url`, budget)], p);
    }
    case "file":
      return withCachePoint([documentBlock(p, param, index)], p);
    default:
      throw invalidRequest(`The content part type '${String(p.type)}' at '${param}' is not supported by bedrock.`, `${param}.type`);
  }
}

/** A message's content (a string or OpenAI content parts) as Converse blocks; empty text is left out. Fetched images count against the request's `budget`. */
export async function contentBlocks(content: unknown, param: string, budget: ImageBudget): Promise<ContentBlock[]> {
  if (content == null) return [];
  if (typeof content === "string") return content ? [{ text: content }] : [];
  if (!Array.isArray(content)) throw invalidRequest(`'${param}' must be a string or an array of content parts.`, param);
  const parts = await Promise.all(content.map((part, i) => partBlocks(part, `${param}[${i}]`, i, budget)));
  return parts.flat();
}

/** Only text (system messages, assistant turns): any other part type is a 400 naming `param`. */
export function textOnly(content: unknown, param: string, what: string): Array<{ text: string } | CachePoint> {
  if (content == null) return [];
  if (typeof content === "string") return content ? [{ text: content }] : [];
  if (!Array.isArray(content)) throw invalidRequest(`'${param}' must be a string or an array of content parts.`, param);
  const out: Array<{ text: string } | CachePoint> = [];
  content.forEach((part, i) => {
    const p = (part ?? {}) as Part;
    const text = p.type === "text" ? p.text : p.type === "refusal" ? p.refusal : undefined;
    if (typeof text !== "string") throw invalidRequest(`${what} may hold only text for bedrock ('${param}[${i}]' is ${String(p.type)}).`, `${param}[${i}]`);
    if (text) out.push(...withCachePoint([{ text }], p));
  });
  return out;
}
