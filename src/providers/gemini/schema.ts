import type { GeminiSchema, Json } from "./types";
import { isObject } from "../../http/json";

/**
 * The keywords of Gemini's Schema object (a subset of OpenAPI 3.0, the type of
 * `FunctionDeclaration.parameters` and `responseSchema`). Anything else (`additionalProperties`,
 * `$schema`, `$defs`, `$ref`, `const`, `oneOf`, `allOf`, `examples`, `strict`, ...) is an
 * "Unknown name ... Cannot find field" 400 from the API, so it is translated or left out.
 */
const KEEP = new Set([
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "items",
  "properties",
  "required",
  "anyOf",
  "propertyOrdering",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "default",
  "example",
]);

/** `format` values Gemini accepts, by type (the Developer API takes only these for strings). */
const FORMATS: Record<string, ReadonlySet<string>> = {
  string: new Set(["enum", "date-time"]),
  number: new Set(["float", "double"]),
  integer: new Set(["int32", "int64"]),
};

const MAX_DEPTH = 32;

/**
 * The most nodes one translated schema may have once its `$ref`s are expanded. Far above any real
 * tool (hundreds), far below what hurts the isolate: a few KB of definitions that each reference
 * the next twice would otherwise expand to billions of nodes.
 */
export const MAX_SCHEMA_NODES = 5000;

/** Thrown when a schema expands past MAX_SCHEMA_NODES; the request builder turns it into a 400 naming the field. */
export class SchemaTooLarge extends Error {
  constructor() {
    super(`the schema expands to more than ${MAX_SCHEMA_NODES} nodes once its $refs are resolved`);
  }
}

/** State shared by one translation: the node budget and the expansions already made. */
interface Shared {
  nodes: number;
  /** A `{"$ref"}` node already translated, by reference, depth and the path's expansions: reused, with its size. */
  memo: Map<string, { schema: GeminiSchema; size: number }>;
}

interface Walk {
  defs: Json;
  /** $refs being expanded on the current path (a cycle becomes a plain object). */
  expanding: Set<string>;
  shared: Shared;
}

function spend(w: Walk, nodes: number): void {
  w.shared.nodes += nodes;
  if (w.shared.nodes > MAX_SCHEMA_NODES) throw new SchemaTooLarge();
}

/** A bare `{"$ref": ...}` node: its translation depends only on the reference, the depth and the path's expansions. */
function memoKey(node: Json, w: Walk, depth: number): string | undefined {
  if (typeof node.$ref !== "string" || Object.keys(node).length !== 1) return undefined;
  return `${node.$ref}\u0000${depth}\u0000${[...w.expanding].sort().join("\u0000")}`;
}

function resolveRef(ref: string, w: Walk): Json | undefined {
  const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
  if (!m) return undefined;
  const target = w.defs[m[1]!.replace(/~1/g, "/").replace(/~0/g, "~")];
  return isObject(target) ? target : undefined;
}

/**
 * A node with `$ref`, `allOf`, `oneOf`, `const`, a type list and a null branch rewritten into
 * Gemini's terms, and the walk its children are cleaned with (the $refs expanded on the way).
 */
function normalise(node: Json, w: Walk, depth: number): { n: Json; w: Walk } {
  let n: Json = { ...node };
  if (typeof n.$ref === "string") {
    const ref = n.$ref;
    const target = w.expanding.has(ref) ? undefined : resolveRef(ref, w);
    delete n.$ref;
    if (target) {
      const inner = nested(target, { ...w, expanding: new Set([...w.expanding, ref]) }, depth + 1);
      n = { ...inner.n, ...n };
      w = inner.w;
    } else n = { type: "object", ...n }; // a recursive or unknown reference cannot be expressed: an object of any shape
  }
  if (Array.isArray(n.allOf)) {
    const parts = n.allOf.filter(isObject).map((p) => nested(p, w, depth + 1).n);
    delete n.allOf;
    for (const p of parts) {
      // Merging copies the part's properties: that work counts against the budget too.
      if (isObject(p.properties)) spend(w, Object.keys(p.properties).length);
      const props = isObject(p.properties) || isObject(n.properties) ? { ...(n.properties as Json), ...(p.properties as Json) } : undefined;
      const required = [...((n.required as string[]) ?? []), ...((p.required as string[]) ?? [])];
      n = { ...p, ...n };
      if (props) n.properties = props;
      if (required.length) n.required = [...new Set(required)];
    }
  }
  if (Array.isArray(n.oneOf) && !n.anyOf) n.anyOf = n.oneOf;
  delete n.oneOf;
  if (n.const !== undefined && n.enum === undefined) n.enum = [n.const];
  if (Array.isArray(n.type)) {
    const types = n.type.filter((t): t is string => typeof t === "string" && t !== "null");
    if (types.length < n.type.length) n.nullable = true;
    if (types.length === 1) n.type = types[0];
    else {
      delete n.type;
      if (types.length > 1 && !n.anyOf) n.anyOf = types.map((t) => ({ type: t }));
    }
  }
  if (Array.isArray(n.anyOf)) {
    const branches = n.anyOf.filter((b) => !(isObject(b) && b.type === "null"));
    if (branches.length < n.anyOf.length) n.nullable = true;
    if (branches.length === 1 && isObject(branches[0])) {
      delete n.anyOf;
      const inner = nested(branches[0], w, depth + 1);
      n = { ...inner.n, ...n };
      w = inner.w;
    } else n.anyOf = branches;
  }
  if (n.type === undefined && isObject(n.properties)) n.type = "object";
  return { n, w };
}

/**
 * normalise on a node merged into its parent ($ref target, allOf part, lone anyOf branch): it
 * costs a node of the budget, so chains that merge a definition twice per level stay bounded.
 */
function nested(node: Json, w: Walk, depth: number): { n: Json; w: Walk } {
  spend(w, 1);
  if (depth > MAX_DEPTH) return { n: {}, w };
  return normalise(node, w, depth);
}

function clean(node: unknown, w: Walk, depth: number): GeminiSchema {
  if (!isObject(node) || depth > MAX_DEPTH) return {};
  const key = memoKey(node, w, depth);
  const seen = key === undefined ? undefined : w.shared.memo.get(key);
  if (seen) {
    // The same object is reused; it still counts in full, since the request carries it once per use.
    spend(w, seen.size);
    return seen.schema;
  }
  const before = w.shared.nodes;
  const out = cleanNode(node, w, depth);
  if (key !== undefined) w.shared.memo.set(key, { schema: out, size: w.shared.nodes - before });
  return out;
}

function cleanNode(node: Json, w: Walk, depth: number): GeminiSchema {
  spend(w, 1);
  const normalised = normalise(node, w, depth);
  const n = normalised.n;
  w = normalised.w;
  const out: GeminiSchema = {};
  for (const [key, value] of Object.entries(n)) {
    if (!KEEP.has(key)) continue;
    switch (key) {
      case "properties": {
        if (!isObject(value)) break;
        const props: Json = {};
        for (const [name, sub] of Object.entries(value)) props[name] = clean(sub, w, depth + 1);
        if (Object.keys(props).length) out.properties = props;
        break;
      }
      case "items":
        out.items = clean(Array.isArray(value) ? value[0] : value, w, depth + 1);
        break;
      case "anyOf":
        if (Array.isArray(value) && value.length) out.anyOf = value.map((b) => clean(b, w, depth + 1));
        break;
      case "enum":
        // Gemini's enum holds strings only: a list of other values is left out (the type still constrains).
        if (Array.isArray(value) && value.length && value.every((v) => typeof v === "string")) out.enum = value;
        break;
      case "format": {
        const allowed = typeof n.type === "string" ? FORMATS[n.type.toLowerCase()] : undefined;
        if (typeof value === "string" && allowed?.has(value)) out.format = value;
        break;
      }
      default:
        out[key] = value;
    }
  }
  if (Array.isArray(out.required)) {
    const props = isObject(out.properties) ? out.properties : {};
    const required = out.required.filter((r): r is string => typeof r === "string" && Object.hasOwn(props, r));
    if (required.length) out.required = required;
    else delete out.required;
  }
  if (Array.isArray(out.enum) && out.type === undefined) out.type = "string";
  return out;
}

/**
 * A JSON Schema (OpenAI's tool parameters or response schema) as Gemini's Schema object.
 * Throws SchemaTooLarge when its expansion passes MAX_SCHEMA_NODES.
 */
export function geminiSchema(schema: unknown): GeminiSchema {
  const defs: Json = {};
  if (isObject(schema)) {
    for (const key of ["definitions", "$defs"] as const) if (isObject(schema[key])) Object.assign(defs, schema[key]);
  }
  return clean(schema, { defs, expanding: new Set(), shared: { nodes: 0, memo: new Map() } }, 0);
}

/** A JSON Schema for `responseJsonSchema` (which takes JSON Schema itself): only `$schema` is left out. */
export function responseJsonSchema(schema: Json): Json {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}
