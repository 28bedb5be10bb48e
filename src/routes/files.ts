import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { ownerScope } from "../batches/access";
import { fileKey, fileObject, filesBucket, FILE_PURPOSES, notFound, readableFile, uploadFile } from "../batches/files";
import { db } from "../db/client";
import { deleteFileRow, findFile, listFiles } from "../db/files";
import { invalidRequest } from "../http/errors";
import { requireAuth } from "../http/middleware";
import { FILE_BATCH_PREFIXES, namedProvider } from "./batch-provider";
import { listPage, listQuery } from "./list-query";

/**
 * OpenAI's Files API: a file belongs to the key that uploaded it (its stable id); admins and its
 * team's admins reach it too. Files are the gateway's own under every prefix: LiteLLM's
 * `/{provider}/v1/files` (and its custom_llm_provider) is checked, and a file goes to that
 * provider with the batch forwarded there.
 */
export const fileRoutes = new Hono<AppEnv>();

for (const prefix of FILE_BATCH_PREFIXES) {
  fileRoutes.post(`${prefix}/files`, requireAuth("key"), async (c) => {
    namedProvider(c);
    const row = await uploadFile(c.env, c.get("config"), c.get("principal"), c.req.raw);
    return c.json(fileObject(row));
  });

  fileRoutes.get(`${prefix}/files`, requireAuth("key"), async (c) => {
    namedProvider(c);
    const q = c.req.query();
    const { limit, after, order } = listQuery(q, 10_000, 10_000);
    if (q.purpose !== undefined && !(FILE_PURPOSES as readonly string[]).includes(q.purpose) && !q.purpose.startsWith("batch_")) {
      throw invalidRequest(`'purpose' must be one of ${FILE_PURPOSES.join(", ")}, batch_output.`, "purpose");
    }
    const principal = c.get("principal");
    const d = db(c.env.DB);
    const cursor = after ? await findFile(d, after) : undefined;
    if (after && !cursor) throw notFound("file", after);
    const rows = await listFiles(d, await ownerScope(c.env, principal), { purpose: q.purpose, limit: limit + 1, order, after: cursor });
    const now = Date.now();
    return c.json(
      listPage(
        rows.filter((r) => r.expiresAt === null || r.expiresAt > now),
        limit,
        fileObject,
      ),
    );
  });

  fileRoutes.get(`${prefix}/files/:id`, requireAuth("key"), async (c) => {
    namedProvider(c);
    return c.json(fileObject(await readableFile(c.env, c.get("principal"), c.req.param("id"))));
  });

  fileRoutes.get(`${prefix}/files/:id/content`, requireAuth("key"), async (c) => {
    namedProvider(c);
    const row = await readableFile(c.env, c.get("principal"), c.req.param("id"));
    const object = await filesBucket(c.env).get(fileKey(row.id));
    if (!object) throw notFound("file", row.id);
    const headers = new Headers({ "content-type": object.httpMetadata?.contentType ?? "application/octet-stream", "content-length": String(object.size) });
    return new Response(object.body, { headers });
  });

  fileRoutes.delete(`${prefix}/files/:id`, requireAuth("key"), async (c) => {
    namedProvider(c);
    const row = await readableFile(c.env, c.get("principal"), c.req.param("id"));
    await filesBucket(c.env).delete(fileKey(row.id));
    await deleteFileRow(db(c.env.DB), row.id);
    return c.json({ id: row.id, object: "file", deleted: true });
  });
}
