/**
 * A token estimate for a Messages request, from characters (about 4 per token), with no
 * tokenizer tables shipped: what /v1/messages/count_tokens answers for non-Anthropic models and
 * what a translated stream's `message_start` carries before the real count arrives.
 */

type Json = Record<string, unknown>;

const CHARS_PER_TOKEN = 4;
/** Roughly what Anthropic charges for a ~1.2 megapixel image. */
const IMAGE_TOKENS = 1600;
/** Role and formatting overhead per message. */
const MESSAGE_TOKENS = 4;

function blockChars(b: unknown): { chars: number; images: number } {
  if (typeof b === "string") return { chars: b.length, images: 0 };
  if (!b || typeof b !== "object") return { chars: 0, images: 0 };
  const o = b as Json;
  switch (o.type) {
    case "text":
      return { chars: typeof o.text === "string" ? o.text.length : 0, images: 0 };
    case "image":
      return { chars: 0, images: 1 };
    case "document": {
      const source = (o.source ?? {}) as Json;
      // A PDF's base64 is not its text: count its bytes as pages of images would be, roughly.
      if (source.type === "base64" && typeof source.data === "string") return { chars: 0, images: Math.max(1, Math.round(source.data.length / 150_000)) };
      return { chars: JSON.stringify(source).length, images: 0 };
    }
    case "tool_use":
      return { chars: JSON.stringify(o.input ?? {}).length + String(o.name ?? "").length, images: 0 };
    case "tool_result": {
      if (typeof o.content === "string") return { chars: o.content.length, images: 0 };
      let chars = 0;
      let images = 0;
      for (const inner of Array.isArray(o.content) ? o.content : []) {
        const r = blockChars(inner);
        chars += r.chars;
        images += r.images;
      }
      return { chars, images };
    }
    case "thinking":
      return { chars: typeof o.thinking === "string" ? o.thinking.length : 0, images: 0 };
    default:
      return { chars: JSON.stringify(o).length, images: 0 };
  }
}

interface CountInput {
  system?: unknown;
  messages: ReadonlyArray<{ content: unknown }>;
  tools?: readonly unknown[];
}

export function estimateInputTokens(req: CountInput): number {
  let chars = 0;
  let images = 0;
  const add = (content: unknown) => {
    for (const b of Array.isArray(content) ? content : [content]) {
      const r = blockChars(b);
      chars += r.chars;
      images += r.images;
    }
  };
  if (req.system !== undefined) add(req.system);
  for (const m of req.messages) add(m.content);
  if (req.tools?.length) chars += JSON.stringify(req.tools).length;
  return Math.ceil(chars / CHARS_PER_TOKEN) + images * IMAGE_TOKENS + req.messages.length * MESSAGE_TOKENS;
}
