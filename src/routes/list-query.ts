import { invalidRequest } from "../http/errors";

/** OpenAI's cursor-list query: `limit` (1..max), `after` (an id), `order` (asc|desc). */
export function listQuery(q: Record<string, string>, def: number, max: number): { limit: number; after?: string; order: "asc" | "desc" } {
  let limit = def;
  if (q.limit !== undefined) {
    limit = Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > max) throw invalidRequest(`'limit' must be a whole number from 1 to ${max}.`, "limit");
  }
  const order = q.order ?? "desc";
  if (order !== "asc" && order !== "desc") throw invalidRequest("'order' must be 'asc' or 'desc'.", "order");
  return { limit, after: q.after || undefined, order };
}

/** OpenAI's list envelope; one more row than `limit` was read to tell has_more. */
export function listPage<R extends { id: string }, O>(rows: R[], limit: number, shape: (r: R) => O) {
  const page = rows.slice(0, limit);
  return { object: "list" as const, data: page.map(shape), first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, has_more: rows.length > limit };
}
