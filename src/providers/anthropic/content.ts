import { invalidRequest } from "../../http/errors";
import { parseDataUrl } from "../shared/images";
import type { CacheControl, DocumentBlock, ImageBlock, TextBlock } from "./types";

type InputBlock = TextBlock | ImageBlock | DocumentBlock;

/** The image types the Messages API takes. */
const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

type Part = Record<string, unknown>;

/** A `cache_control` the client put on a part or message (LiteLLM's convention for prompt caching). */
export function cacheControlOf(o: unknown): CacheControl | undefined {
  if (!o || typeof o !== "object") return undefined;
  const cc = (o as { cache_control?: unknown }).cache_control;
  return cc && typeof cc === "object" && !Array.isArray(cc) ? (cc as CacheControl) : undefined;
}

function withCache<T extends InputBlock>(block: T, part: Part): T {
  const cc = cacheControlOf(part);
  return cc ? { ...block, cache_control: cc } : block;
}

/** An OpenAI image URL as an image block: `data:` URLs as base64, `https` URLs by URL (Anthropic fetches them). */
function imageBlock(url: string, param: string): ImageBlock {
  if (url.startsWith("data:")) {
    const inline = parseDataUrl(url);
    if (!inline) throw invalidRequest(`The image at '${param}' is not a base64 data: URL.`, param);
    const mediaType = inline.mediaType === "image/jpg" ? "image/jpeg" : inline.mediaType;
    if (!IMAGE_TYPES.has(mediaType)) {
      throw invalidRequest(`The image at '${param}' is ${mediaType}; anthropic takes image/jpeg, image/png, image/gif or image/webp.`, param);
    }
    return { type: "image", source: { type: "base64", media_type: mediaType, data: inline.data } };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidRequest(`The image URL at '${param}' is not a valid URL.`, param);
  }
  if (parsed.protocol !== "https:") throw invalidRequest(`The image URL at '${param}' must use https (or be a data: URL).`, param);
  return { type: "image", source: { type: "url", url } };
}

/** OpenAI's `file` part: a PDF given as `file_data` becomes a document block. */
function documentBlock(part: Part, param: string): DocumentBlock {
  const file = part.file as { file_data?: unknown; file_id?: unknown; filename?: unknown } | undefined;
  if (!file || typeof file !== "object") throw invalidRequest(`The file part at '${param}' has no 'file' object.`, param);
  if (typeof file.file_data !== "string") {
    throw invalidRequest(`The file part at '${param}' must carry 'file_data' (a data: URL); file ids are not supported by anthropic.`, `${param}.file`);
  }
  const inline = parseDataUrl(file.file_data);
  if (!inline) throw invalidRequest(`The file at '${param}' must be a base64 data: URL.`, `${param}.file.file_data`);
  if (inline.mediaType !== "application/pdf") {
    throw invalidRequest(`The file at '${param}' is ${inline.mediaType}; anthropic takes PDF documents (application/pdf).`, `${param}.file.file_data`);
  }
  const block: DocumentBlock = { type: "document", source: { type: "base64", media_type: "application/pdf", data: inline.data } };
  if (typeof file.filename === "string" && file.filename) block.title = file.filename;
  return block;
}

function partBlock(part: unknown, param: string): InputBlock | undefined {
  if (!part || typeof part !== "object") throw invalidRequest(`The content part at '${param}' must be an object.`, param);
  const p = part as Part;
  switch (p.type) {
    case "text":
    case "refusal": {
      const text = p.type === "text" ? p.text : p.refusal;
      if (typeof text !== "string") throw invalidRequest(`The ${p.type} part at '${param}' has no '${p.type}' string.`, param);
      return text ? withCache({ type: "text", text }, p) : undefined;
    }
    case "image_url": {
      const img = p.image_url;
      const url = typeof img === "string" ? img : img && typeof img === "object" ? (img as { url?: unknown }).url : undefined;
      if (typeof url !== "string") throw invalidRequest(`The image part at '${param}' has no 'image_url.url'.`, `${param}.image_url.url`);
      return withCache(imageBlock(url, `${param}.image_url.url`), p);
    }
    case "file":
      return withCache(documentBlock(p, param), p);
    default:
      throw invalidRequest(`The content part type '${String(p.type)}' at '${param}' is not supported by anthropic.`, `${param}.type`);
  }
}

/** A message's content (a string or OpenAI content parts) as Anthropic blocks; empty text is left out. */
export function contentBlocks(content: unknown, param: string): InputBlock[] {
  if (content == null) return [];
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  if (!Array.isArray(content)) throw invalidRequest(`'${param}' must be a string or an array of content parts.`, param);
  const out: InputBlock[] = [];
  content.forEach((part, i) => {
    const block = partBlock(part, `${param}[${i}]`);
    if (block) out.push(block);
  });
  return out;
}

/** Only the text of content parts (system messages): other part types are a 400. */
export function textBlocks(content: unknown, param: string): TextBlock[] {
  const blocks = contentBlocks(content, param);
  for (const b of blocks) {
    if (b.type !== "text") throw invalidRequest(`'${param}' may hold only text for anthropic (found ${b.type}).`, param);
  }
  return blocks as TextBlock[];
}
