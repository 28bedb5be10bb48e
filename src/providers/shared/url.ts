import { invalidRequest } from "../../http/errors";

/**
 * A model name as ONE path segment of an upstream URL: percent-encoded whole (`/`, `?`, `#`, `%`,
 * `:` included), and never `.` or `..`, which URL parsers resolve as "this" and "parent" segments
 * even when percent-encoded. A name that cannot be a segment is the request's fault: a 400 naming `model`.
 */
export function modelSegment(name: string): string {
  if (!name || name === "." || name === "..") {
    throw invalidRequest(`The model name '${name}' cannot be sent to the provider (it would not name a model in the upstream URL).`, "model");
  }
  return encodeURIComponent(name);
}
