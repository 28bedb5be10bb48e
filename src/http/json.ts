import type { Context } from "hono";
import { invalidRequest } from "./errors";

/** A JSON object (not null, not an array): the type guard every reader of untyped JSON uses. */
export const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Reads the request body as JSON; anything else is a 400. */
export async function readJson(c: Context): Promise<unknown> {
  let text: string;
  try {
    text = await c.req.text();
  } catch {
    throw invalidRequest("The request body could not be read.");
  }
  if (!text) throw invalidRequest("The request body is empty; send a JSON object.");
  try {
    return JSON.parse(text);
  } catch {
    throw invalidRequest("The request body is not valid JSON.");
  }
}
