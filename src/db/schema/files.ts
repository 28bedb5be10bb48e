import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Files (POST /v1/files): the bytes live in the FILES_BUCKET R2 bucket under `files/<id>`. */
export const files = sqliteTable(
  "files",
  {
    id: text("id").primaryKey(),
    /** The uploading key's stable id (keys.key_id), or `master`. */
    ownerKeyId: text("owner_key_id").notNull(),
    /** The owner key's team when it uploaded (its team admins may read the file). */
    teamId: text("team_id"),
    purpose: text("purpose").notNull(),
    filename: text("filename").notNull(),
    bytes: integer("bytes").notNull(),
    /** Unix ms. */
    createdAt: integer("created_at").notNull(),
    /** Unix ms, or null for a file that does not expire. */
    expiresAt: integer("expires_at"),
    /** Batch input files: how many request lines, the one `url` they all call, and the models they name. */
    lineCount: integer("line_count"),
    batchUrl: text("batch_url"),
    models: text("models", { mode: "json" }).$type<string[]>(),
  },
  (t) => [index("files_owner_idx").on(t.ownerKeyId, t.createdAt)],
);

export type FileRow = typeof files.$inferSelect;
