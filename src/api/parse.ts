import type * as z from "zod/mini";
import { invalidRequest } from "../http/errors";

/** Formats a zod issue path the way a person reads it: `model_list[2].litellm_params.model`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(root)";
}

/**
 * Validates a parsed JSON body against a wire schema: anything but an object, or a schema
 * violation, is a 400 whose `param` names the field (the first issue zod reports).
 */
export function parseBody<T>(schema: z.ZodMiniType<T>, body: unknown): T {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidRequest("The request body must be a JSON object.");
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = formatPath(issue.path);
  throw invalidRequest(`Invalid value for '${param}': ${issue.message}`, param);
}
