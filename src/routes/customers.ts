import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { deleteEndUsers, findEndUser, insertEndUser, listEndUsers, updateEndUser } from "../db/end-users";
import type { EndUserRow } from "../db/schema";
import { GatewayError, invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { requireAuth } from "../http/middleware";
import { limitFields, limitRowFields, parseAdminBody } from "../identity/fields";
import { guardOf } from "../limits/guard-client";
import { customerState, customerSubject } from "../limits/subjects";

/**
 * LiteLLM's end users (customers): the OpenAI `user` field of a call names one; its budget, limits,
 * model list (an extension) and block apply to that call through its own guard. Also under /end_user/.
 */
export const customerRoutes = new Hono<AppEnv>();

const NOT_YET = new Set(["allowed_model_region", "default_model", "budget_id", "object_permission", "soft_budget", "model_max_budget", "max_parallel_requests", "spend"]);

const fields = {
  alias: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(256)))),
  blocked: z.optional(z.boolean()),
  ...limitFields,
};
const schema = z.object({ user_id: z.string().check(z.minLength(1), z.maxLength(256)), ...fields });
const idsSchema = z.object({ user_ids: z.array(z.string().check(z.minLength(1))).check(z.minLength(1), z.maxLength(1000)) });

const notFound = (id: string) => new GatewayError(404, `End user '${id}' was not found.`, "invalid_request_error", "end_user_not_found", "user_id");
const iso = (ms: number) => new Date(ms).toISOString();

function rowFields(f: Partial<z.infer<typeof schema>>): Partial<EndUserRow> {
  const out: Partial<EndUserRow> = limitRowFields(f);
  if (f.alias !== undefined) out.alias = f.alias;
  if (f.blocked !== undefined) out.blocked = f.blocked;
  return out;
}

/** LiteLLM's shape: the end user with its limits in `litellm_budget_table`. */
function endUserObject(r: EndUserRow, resetAt: number | null = null) {
  return {
    user_id: r.userId,
    alias: r.alias,
    blocked: r.blocked,
    models: r.models,
    spend: r.spend,
    metadata: r.metadata,
    litellm_budget_table: { max_budget: r.maxBudget, budget_duration: r.budgetDuration, tpm_limit: r.tpmLimit, rpm_limit: r.rpmLimit },
    budget_reset_at: resetAt === null ? null : iso(resetAt),
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

const guard = (c: Context<AppEnv>, id: string) => guardOf(c.env, customerSubject(id));
/** Tells the end user's guard first: a block or a new budget holds from the next call in every isolate. */
const sync = (c: Context<AppEnv>, id: string, row: EndUserRow | null) => guard(c, id).configure(customerState(id, row), Date.now());

for (const prefix of ["/customer", "/end_user"]) {
  customerRoutes.post(`${prefix}/new`, requireAuth("admin"), async (c) => {
    const f = parseAdminBody(schema, await readJson(c), NOT_YET);
    const d = db(c.env.DB);
    if (await findEndUser(d, f.user_id)) throw invalidRequest(`End user '${f.user_id}' already exists.`, "user_id");
    const row = await insertEndUser(d, { models: [], metadata: {}, ...rowFields(f), userId: f.user_id });
    await sync(c, row.userId, row);
    return c.json(endUserObject(row));
  });

  customerRoutes.get(`${prefix}/info`, requireAuth("admin"), async (c) => {
    const id = c.req.query("end_user_id") ?? c.req.query("user_id");
    if (!id) throw invalidRequest(`Name the end user: ${prefix}/info?end_user_id=<id>.`, "end_user_id");
    const row = await findEndUser(db(c.env.DB), id);
    if (!row) throw notFound(id);
    const view = await guard(c, id).view(Date.now());
    return c.json({ ...endUserObject(row, view.resetAt), current_period_spend: view.spend, reserved_spend: view.reserved });
  });

  customerRoutes.post(`${prefix}/update`, requireAuth("admin"), async (c) => {
    const f = parseAdminBody(schema, await readJson(c), NOT_YET);
    const row = await updateEndUser(db(c.env.DB), f.user_id, rowFields(f));
    if (!row) throw notFound(f.user_id);
    await sync(c, row.userId, row);
    return c.json(endUserObject(row));
  });

  customerRoutes.post(`${prefix}/delete`, requireAuth("admin"), async (c) => {
    const { user_ids } = parseAdminBody(idsSchema, await readJson(c));
    const d = db(c.env.DB);
    const rows = await Promise.all(user_ids.map((id) => findEndUser(d, id)));
    const missing = user_ids.find((_, i) => !rows[i]);
    if (missing) throw notFound(missing);
    // A deleted end user is unknown again: no limits of its own.
    await Promise.all(user_ids.map((id) => sync(c, id, null)));
    await deleteEndUsers(d, user_ids);
    return c.json({ deleted_end_users: user_ids });
  });

  customerRoutes.get(`${prefix}/list`, requireAuth("admin"), async (c) => c.json((await listEndUsers(db(c.env.DB))).map((r) => endUserObject(r))));

  const setBlocked = (blocked: boolean) => async (c: Context<AppEnv>) => {
    const { user_ids } = parseAdminBody(idsSchema, await readJson(c));
    const d = db(c.env.DB);
    const out = [];
    for (const id of user_ids) {
      // LiteLLM blocks an end user it has never seen by creating it blocked.
      const row = (await updateEndUser(d, id, { blocked })) ?? (await insertEndUser(d, { userId: id, blocked, models: [], metadata: {} }));
      await sync(c, id, row);
      out.push(row.userId);
    }
    return c.json({ [blocked ? "blocked_users" : "unblocked_users"]: out });
  };
  customerRoutes.post(`${prefix}/block`, requireAuth("admin"), setBlocked(true));
  customerRoutes.post(`${prefix}/unblock`, requireAuth("admin"), setBlocked(false));
}
