import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { mayReach, ownerScope } from "../batches/access";
import { createBatch } from "../batches/create";
import { notFound } from "../batches/files";
import { batchObject } from "../batches/object";
import { cancelUpstream } from "../batches/native/cancel";
import { maybeFinalize } from "../batches/start";
import { db } from "../db/client";
import { findBatch, lineStats, listBatches, moveBatch } from "../db/batches";
import type { BatchRow } from "../db/schema";
import type { Env } from "../env";
import type { Principal } from "../http/auth";
import { GatewayError } from "../http/errors";
import { readJson } from "../http/json";
import { requireAuth } from "../http/middleware";
import { FILE_BATCH_PREFIXES, namedProvider } from "./batch-provider";
import { listPage, listQuery } from "./list-query";

/**
 * OpenAI's Batch API, run by the gateway on its batch queue (or forwarded to a provider's own).
 * Under LiteLLM's `/{provider}/v1/batches` a batch is forwarded to that provider, and the batches
 * listed, read and cancelled there are the ones forwarded to it.
 */
export const batchRoutes = new Hono<AppEnv>();

/** A batch the caller may reach; under a `/{provider}/v1` path, only one forwarded to that provider. */
async function reachableBatch(env: Env, principal: Principal, id: string, provider: string | undefined): Promise<BatchRow> {
  const row = await findBatch(db(env.DB), id);
  if (!row || !(await mayReach(env, principal, row)) || (provider && row.native?.provider !== provider)) throw notFound("batch", id);
  return row;
}

const shaped = async (env: Env, row: BatchRow) => batchObject(row, await lineStats(env.DB, row.id));

for (const prefix of FILE_BATCH_PREFIXES) {
  batchRoutes.post(`${prefix}/batches`, requireAuth("key"), async (c) => {
    const named = namedProvider(c);
    const row = await createBatch(c.env, c.get("config"), c.get("principal"), await readJson(c), (p) => c.executionCtx.waitUntil(p), named);
    return c.json(await shaped(c.env, row));
  });

  batchRoutes.get(`${prefix}/batches`, requireAuth("key"), async (c) => {
    const provider = namedProvider(c);
    const { limit, after } = listQuery(c.req.query(), 20, 100);
    const d = db(c.env.DB);
    const cursor = after ? await findBatch(d, after) : undefined;
    if (after && !cursor) throw notFound("batch", after);
    const rows = await listBatches(d, await ownerScope(c.env, c.get("principal")), limit + 1, cursor, provider);
    const page = listPage(rows, limit, (r) => r);
    return c.json({ ...page, data: await Promise.all(page.data.map((r) => shaped(c.env, r))) });
  });

  batchRoutes.get(`${prefix}/batches/:id`, requireAuth("key"), async (c) => c.json(await shaped(c.env, await reachableBatch(c.env, c.get("principal"), c.req.param("id"), namedProvider(c)))));

  /** Stops the lines not yet run (status cancelling); once the running ones end, the batch is finalised as cancelled. A native batch is cancelled upstream too. */
  batchRoutes.post(`${prefix}/batches/:id/cancel`, requireAuth("key"), async (c) => {
    const row = await reachableBatch(c.env, c.get("principal"), c.req.param("id"), namedProvider(c));
    if (row.status === "cancelling" || row.status === "cancelled") return c.json(await shaped(c.env, row));
    if (row.native && ["validating", "in_progress"].includes(row.status)) await cancelUpstream(c.get("config"), row);
    const moved = await moveBatch(db(c.env.DB), row.id, ["validating", "in_progress"], { status: "cancelling", cancellingAt: Date.now() });
    if (!moved) {
      throw new GatewayError(400, `The batch '${row.id}' is ${row.status} and can no longer be cancelled.`, "invalid_request_error", "batch_not_cancellable", "id");
    }
    if (row.status === "in_progress" && !row.native) await maybeFinalize(c.env, row.id);
    return c.json(await shaped(c.env, moved));
  });
}
