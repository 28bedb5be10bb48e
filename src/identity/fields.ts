import * as z from "zod/mini";
import { formatPath } from "../api/parse";
import { invalidRequest } from "../http/errors";
import { parseDuration } from "../limits/duration";

export const count = z.number().check(z.int(), z.gte(0));
export const usd = z.number().check(z.gte(0));
export const modelList = z.array(z.string().check(z.minLength(1))).check(z.maxLength(1000));
export const metadataField = z.record(z.string(), z.unknown());

/** The budget and limit fields users, organizations and end users take in admin bodies (LiteLLM's names); limitRowFields turns them into columns. */
export const limitFields = {
  models: z.optional(z.nullable(modelList)),
  max_budget: z.optional(z.nullable(usd)),
  budget_duration: z.optional(z.nullable(z.string())),
  tpm_limit: z.optional(z.nullable(count)),
  rpm_limit: z.optional(z.nullable(count)),
  metadata: z.optional(z.nullable(metadataField)),
};

/**
 * Validates an admin body: a field LiteLLM has that this gateway does not support yet (`notYet`)
 * and an unknown field are each a 400 naming it; a schema violation is a 400 naming the field.
 */
export function parseAdminBody<T>(schema: z.ZodMiniType<T>, body: unknown, notYet: ReadonlySet<string> = new Set(), extra: readonly string[] = []): T {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw invalidRequest("The request body must be a JSON object.");
  const known = new Set([...Object.keys((schema as unknown as { def: { shape: object } }).def.shape), ...extra]);
  for (const name of Object.keys(body)) {
    if (known.has(name)) continue;
    if (notYet.has(name)) throw invalidRequest(`The field '${name}' is not supported yet by this gateway.`, name);
    throw invalidRequest(`Unknown field '${name}'.`, name);
  }
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const param = formatPath(issue.path);
    throw invalidRequest(`Invalid value for '${param}': ${issue.message}`, param);
  }
  return r.data;
}

/**
 * An update's metadata: it replaces the stored metadata, as in LiteLLM, except the stored `logging`
 * (with its encrypted credentials), which goes only when the update names `logging` (`[]` removes it).
 */
export function keepStoredLogging(given: Record<string, unknown>, stored: Record<string, unknown>): Record<string, unknown> {
  return Object.hasOwn(given, "logging") || stored.logging === undefined ? given : { ...given, logging: stored.logging };
}

/** A LiteLLM duration field (budget_duration, time_period): a 400 naming it when malformed. */
export function checkDuration(value: string | null | undefined, param: string): void {
  if (value && parseDuration(value) === undefined) throw invalidRequest(`Invalid ${param} '${value}': use e.g. 30s, 30m, 1h, 1d, 7d or 1mo.`, param);
}

/** A page number and size from the query: 400 naming the parameter when not whole numbers in range. */
export function pageOf(q: Record<string, string | undefined>, sizeParam: string, defaultSize: number): { page: number; size: number } {
  const page = Number(q.page ?? "1");
  const size = Number(q[sizeParam] ?? String(defaultSize));
  if (!Number.isInteger(page) || page < 1) throw invalidRequest("'page' must be a whole number from 1.", "page");
  if (!Number.isInteger(size) || size < 1 || size > 100) throw invalidRequest(`'${sizeParam}' must be a whole number from 1 to 100.`, sizeParam);
  return { page, size };
}

/** The budget and limit fields teams, users, organizations and end users share (LiteLLM's names). */
interface LimitFields {
  models?: string[] | null;
  max_budget?: number | null;
  budget_duration?: string | null;
  tpm_limit?: number | null;
  rpm_limit?: number | null;
  metadata?: Record<string, unknown> | null;
}

interface LimitColumns {
  models: string[];
  maxBudget: number | null;
  budgetDuration: string | null;
  tpmLimit: number | null;
  rpmLimit: number | null;
  metadata: Record<string, unknown>;
}

/** The shared fields an admin body sets, as row columns (a null list or metadata clears it); a malformed budget_duration is a 400. */
export function limitRowFields(f: LimitFields): Partial<LimitColumns> {
  checkDuration(f.budget_duration, "budget_duration");
  const out: Partial<LimitColumns> = {};
  if (f.models !== undefined) out.models = f.models ?? [];
  if (f.max_budget !== undefined) out.maxBudget = f.max_budget;
  if (f.budget_duration !== undefined) out.budgetDuration = f.budget_duration;
  if (f.tpm_limit !== undefined) out.tpmLimit = f.tpm_limit;
  if (f.rpm_limit !== undefined) out.rpmLimit = f.rpm_limit;
  if (f.metadata !== undefined) out.metadata = f.metadata ?? {};
  return out;
}
