import type { SpendEvent } from "./event";

/**
 * Bounds on what a client can put into a spend event. A client controls `user`, `metadata.tags`,
 * the model name (wildcard groups) and whatever else the pipeline copies into the metadata; one
 * unbounded field would make the event too large for a Queue message (128 KB) and, before these
 * bounds, stop every later batch of its isolate. Whatever is cut is marked `metadata.truncated`.
 */
export const MAX_USER_CHARS = 256;
export const MAX_TAGS = 20;
export const MAX_TAG_CHARS = 128;
/** Names and ids: model, model_group, provider, deployment, team, key. */
const MAX_NAME_CHARS = 256;
/** Any other string in the metadata. */
const MAX_STRING_CHARS = 1000;
/** The stored prompt and answer (`general_settings.store_prompts_in_spend_logs`). */
const MAX_STORED_CHARS = 8000;
/** Keys of one object and items of one array in the metadata. */
const MAX_ENTRIES = 50;
const MAX_DEPTH = 4;
/** The whole metadata, serialised: past this only the small known fields are kept. */
const MAX_METADATA_BYTES = 32 * 1024;

const MARK = "...[truncated]";
/** Metadata keys kept when the whole metadata is still over MAX_METADATA_BYTES. */
const ESSENTIAL = ["user", "tags", "route", "stream", "status", "error"] as const;

interface Cut {
  truncated: boolean;
}

function str(s: string, max: number, cut: Cut): string {
  if (s.length <= max) return s;
  cut.truncated = true;
  return s.slice(0, max) + MARK;
}

/** A JSON-safe copy of `v` with every string, object and array bounded (cycles and non-JSON values dropped). */
function bounded(v: unknown, cut: Cut, depth: number, maxString: number, seen: Set<object>): unknown {
  if (v === null || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string") return str(v, maxString, cut);
  if (typeof v !== "object") {
    cut.truncated = true;
    return undefined;
  }
  if (seen.has(v) || depth >= MAX_DEPTH) {
    cut.truncated = true;
    return undefined;
  }
  seen.add(v);
  try {
    if (Array.isArray(v)) {
      if (v.length > MAX_ENTRIES) cut.truncated = true;
      return v.slice(0, MAX_ENTRIES).map((x) => bounded(x, cut, depth + 1, maxString, seen) ?? null);
    }
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [k, x] of Object.entries(v)) {
      if (n++ >= MAX_ENTRIES) {
        cut.truncated = true;
        break;
      }
      const b = bounded(x, cut, depth + 1, maxString, seen);
      if (b !== undefined) out[str(k, MAX_NAME_CHARS, cut)] = b;
    }
    return out;
  } finally {
    seen.delete(v);
  }
}

function boundTags(tags: unknown, cut: Cut): string[] | undefined {
  if (!Array.isArray(tags)) return undefined;
  const strings = tags.filter((t): t is string => typeof t === "string");
  if (strings.length < tags.length || strings.length > MAX_TAGS) cut.truncated = true;
  return strings.slice(0, MAX_TAGS).map((t) => str(t, MAX_TAG_CHARS, cut));
}

const encoder = new TextEncoder();
/** Whether `v` serialises to at most `max` UTF-8 bytes (a UTF-16 unit is at most 3 bytes: most events skip the encode). */
const fitsBytes = (v: unknown, max: number) => {
  const text = JSON.stringify(v);
  return text.length * 3 <= max || encoder.encode(text).length <= max;
};

/**
 * A spend event's metadata with every client-supplied field bounded: `user`, `tags` (count and
 * length), the stored prompt and answer, and any other value (strings, nesting, entries). Pure;
 * adds `truncated: true` when anything was cut.
 */
function boundSpendMetadata(metadata: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const cut: Cut = { truncated: false };
  const out: Record<string, unknown> = {};
  const src = metadata && typeof metadata === "object" ? metadata : {};
  let n = 0;
  for (const [key, value] of Object.entries(src)) {
    if (n++ >= MAX_ENTRIES) {
      cut.truncated = true;
      break;
    }
    const k = str(key, MAX_NAME_CHARS, cut);
    if (key === "user") out[k] = typeof value === "string" ? str(value, MAX_USER_CHARS, cut) : bounded(value, cut, 1, MAX_USER_CHARS, new Set());
    else if (key === "tags") out[k] = boundTags(value, cut);
    else if (key === "request" || key === "response") out[k] = bounded(value, cut, 1, MAX_STORED_CHARS, new Set());
    else out[k] = bounded(value, cut, 1, MAX_STRING_CHARS, new Set());
    if (out[k] === undefined) delete out[k];
  }
  if (cut.truncated || src.truncated === true) out.truncated = true;
  if (fitsBytes(out, MAX_METADATA_BYTES)) return out;
  // Still too large (many large fields): keep what reports group by, and say so.
  const small: Record<string, unknown> = { truncated: true };
  for (const key of ESSENTIAL) if (out[key] !== undefined) small[key] = out[key];
  return small;
}

/**
 * A spend event whose every client-supplied field is bounded (see boundSpendMetadata; model names
 * and ids are cut at MAX_NAME_CHARS). Pure: the event given is not changed. The result always
 * serialises well under a Queue message's limit.
 */
export function boundSpendEvent(event: SpendEvent): SpendEvent {
  const cut: Cut = { truncated: false };
  const name = (s: string) => str(String(s), MAX_NAME_CHARS, cut);
  const metadata = boundSpendMetadata(event.metadata);
  const out: SpendEvent = {
    ...event,
    request_id: name(event.request_id),
    api_key: name(event.api_key),
    model: name(event.model),
    model_group: name(event.model_group),
    provider: name(event.provider),
    deployment: name(event.deployment),
    metadata,
  };
  if (typeof event.team_id === "string") out.team_id = name(event.team_id);
  if (typeof event.response_id === "string") out.response_id = name(event.response_id);
  if (cut.truncated) out.metadata = { ...metadata, truncated: true };
  return out;
}
