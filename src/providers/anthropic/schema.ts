/**
 * A JSON schema made fit for Anthropic's structured outputs, the way Anthropic's own SDKs do it:
 * every object gets `additionalProperties: false` (required there) unless it says otherwise,
 * `oneOf` becomes `anyOf`, and the constraints the API refuses (numeric bounds, string lengths,
 * array sizes beyond minItems 0/1) move into the field's description. An OpenAI strict schema
 * passes through unchanged apart from those constraints.
 */

import { isObject } from "../../http/json";

type Json = Record<string, unknown>;

const MOVED = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "maxItems", "minProperties", "maxProperties", "uniqueItems"];
const SCHEMA_MAPS = ["properties", "$defs", "definitions", "patternProperties"];
const SCHEMA_ONE = ["items", "not", "if", "then", "else", "contains", "additionalProperties"];
const SCHEMA_LISTS = ["anyOf", "allOf", "prefixItems"];

export function structuredSchema(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const out: Json = { ...schema };
  if (Array.isArray(out.oneOf)) {
    out.anyOf = [...(Array.isArray(out.anyOf) ? out.anyOf : []), ...out.oneOf];
    delete out.oneOf;
  }
  for (const key of SCHEMA_MAPS) {
    const map = out[key];
    if (isObject(map)) out[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, structuredSchema(v)]));
  }
  for (const key of SCHEMA_ONE) if (isObject(out[key])) out[key] = structuredSchema(out[key]);
  for (const key of SCHEMA_LISTS) if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map(structuredSchema);

  const notes: string[] = [];
  for (const key of MOVED) {
    if (key in out) {
      notes.push(`${key}: ${JSON.stringify(out[key])}`);
      delete out[key];
    }
  }
  if (typeof out.minItems === "number" && out.minItems > 1) {
    notes.push(`minItems: ${out.minItems}`);
    out.minItems = 1;
  }
  if (notes.length) out.description = [typeof out.description === "string" ? out.description : "", `(${notes.join(", ")})`].filter(Boolean).join(" ");

  const isObjectType = out.type === "object" || (Array.isArray(out.type) && out.type.includes("object")) || isObject(out.properties);
  if (isObjectType && !("additionalProperties" in out)) out.additionalProperties = false;
  return out;
}
