import type { ResolvedConfig } from "../config/resolve";
import { db } from "../db/client";
import { findFile, insertFile } from "../db/files";
import type { FileRow } from "../db/schema";
import type { Env } from "../env";
import type { Principal } from "../http/auth";
import { configError, GatewayError, invalidRequest } from "../http/errors";
import { mayReach, ownerOf } from "./access";
import { BatchLineChecker, MAX_LINE_CHARS } from "./line-check";
import { checkNativeProvider } from "./native/choose";
import { boundaryOf, MultipartError, multipartParts } from "./multipart";
import { R2Writer } from "./r2-writer";

/** OpenAI's file purposes (the gateway stores each; `batch` files are checked line by line). */
export const FILE_PURPOSES = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"] as const;

export const fileKey = (id: string) => `files/${id}`;

export function randomId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const notFound = (what: string, id: string) => new GatewayError(404, `No ${what} with id '${id}' exists.`, "invalid_request_error", "not_found", "id");

const tooLarge = (max: number) => new GatewayError(413, `The file is larger than the limit of ${max} bytes (general_settings.max_file_size_mb).`, "invalid_request_error", "request_too_large", "file");

export function filesBucket(env: Env): R2Bucket {
  if (!env.FILES_BUCKET) throw configError("Files need the FILES_BUCKET R2 binding (wrangler.toml [[r2_buckets]]).");
  return env.FILES_BUCKET;
}

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

/** OpenAI's file object. */
export function fileObject(row: FileRow) {
  return {
    id: row.id,
    object: "file" as const,
    bytes: row.bytes,
    created_at: seconds(row.createdAt)!,
    expires_at: seconds(row.expiresAt),
    filename: row.filename,
    purpose: row.purpose,
    status: "processed" as const,
    status_details: null,
  };
}

/** A file the caller may read: 404 for one that is unknown, expired, or not the caller's (nothing tells them apart). */
export async function readableFile(env: Env, principal: Principal, id: string): Promise<FileRow> {
  const row = await findFile(db(env.DB), id);
  if (!row || (row.expiresAt !== null && row.expiresAt <= Date.now()) || !(await mayReach(env, principal, row))) throw notFound("file", id);
  return row;
}

async function textField(chunks: AsyncGenerator<Uint8Array>, name: string): Promise<string> {
  let text = "";
  const dec = new TextDecoder();
  for await (const c of chunks) {
    text += dec.decode(c, { stream: true });
    if (text.length > 1024) throw invalidRequest(`The field '${name}' is too long.`, name);
  }
  return text + dec.decode();
}

interface Upload {
  purpose?: string;
  anchor?: string;
  seconds?: string;
  file?: { id: string; filename: string; bytes: number; checker?: BatchLineChecker };
}

/**
 * POST /v1/files: the multipart body is read as it comes; the file part streams into R2 (a
 * multipart upload past 5 MiB) under general_settings.max_file_size_mb, and a `batch` file is
 * checked line by line on the way. Nothing is kept when the upload is refused.
 */
export async function uploadFile(env: Env, config: ResolvedConfig, principal: Principal, request: Request): Promise<FileRow> {
  const bucket = filesBucket(env);
  const boundary = boundaryOf(request.headers.get("content-type"));
  if (!boundary || !request.body) throw invalidRequest("POST /v1/files takes a multipart/form-data body with the fields 'file' and 'purpose'.");
  const max = config.settings.batch.maxFileBytes;
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > max + 64 * 1024) throw tooLarge(max);
  const up: Upload = {};
  try {
    for await (const part of multipartParts(request.body, boundary)) {
      if (part.name === "purpose") up.purpose = await textField(part.chunks, "purpose");
      else if (part.name === "expires_after[anchor]") up.anchor = await textField(part.chunks, "expires_after[anchor]");
      else if (part.name === "expires_after[seconds]") up.seconds = await textField(part.chunks, "expires_after[seconds]");
      // LiteLLM's clients name the provider on the upload too: the gateway keeps the file either way (it goes up with a batch forwarded there).
      else if (part.name === "custom_llm_provider") checkNativeProvider(config, await textField(part.chunks, "custom_llm_provider"));
      else if (part.name === "file") {
        if (up.file) throw invalidRequest("Send one 'file' per upload.", "file");
        up.file = await storePart(bucket, config, principal, part.filename, part.contentType, part.chunks, up.purpose, max);
      } else throw invalidRequest(`Unknown field '${part.name}': POST /v1/files takes file, purpose, expires_after and custom_llm_provider.`, part.name);
    }
    return await finish(env, principal, up);
  } catch (e) {
    if (up.file) await bucket.delete(fileKey(up.file.id)).catch(() => {});
    if (e instanceof MultipartError) throw invalidRequest(`The multipart body is malformed: ${e.message}`);
    throw e;
  }
}

async function storePart(
  bucket: R2Bucket,
  config: ResolvedConfig,
  principal: Principal,
  filename: string | undefined,
  contentType: string | undefined,
  chunks: AsyncGenerator<Uint8Array>,
  purpose: string | undefined,
  max: number,
): Promise<NonNullable<Upload["file"]>> {
  const id = randomId("file-");
  // The purpose may come after the file: until it is known the lines are checked as a batch's.
  const checker = purpose === undefined || purpose === "batch" ? new BatchLineChecker(config, principal, Math.min(config.settings.maxRequestBytes, MAX_LINE_CHARS)) : undefined;
  const writer = new R2Writer(bucket, fileKey(id), { httpMetadata: { contentType: contentType ?? "application/octet-stream" } });
  try {
    for await (const chunk of chunks) {
      if (writer.bytes + chunk.length > max) throw tooLarge(max);
      checker?.push(chunk);
      await writer.write(chunk);
    }
    checker?.end();
    await writer.close();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return { id, filename: (filename || "file").slice(0, 256), bytes: writer.bytes, checker };
}

async function finish(env: Env, principal: Principal, up: Upload): Promise<FileRow> {
  const { purpose, file } = up;
  if (purpose === undefined) throw invalidRequest("The field 'purpose' is required, e.g. 'batch'.", "purpose");
  if (!(FILE_PURPOSES as readonly string[]).includes(purpose)) throw invalidRequest(`'purpose' must be one of ${FILE_PURPOSES.join(", ")}.`, "purpose");
  if (!file) throw invalidRequest("The field 'file' is required.", "file");
  let expiresAt: number | null = null;
  const now = Date.now();
  if (up.anchor !== undefined || up.seconds !== undefined) {
    if (up.anchor !== "created_at") throw invalidRequest("'expires_after[anchor]' must be 'created_at'.", "expires_after.anchor");
    const s = Number(up.seconds);
    if (!Number.isInteger(s) || s < 3600 || s > 2_592_000) throw invalidRequest("'expires_after[seconds]' must be a whole number from 3600 to 2592000.", "expires_after.seconds");
    expiresAt = now + s * 1000;
  }
  const checker = purpose === "batch" ? file.checker : undefined;
  if (checker?.problem) throw invalidRequest(`Line ${checker.problem.line} of the batch file: ${checker.problem.message}`, "file", "invalid_batch_file");
  const owner = ownerOf(principal);
  const row: FileRow = {
    id: file.id,
    ownerKeyId: owner.keyId,
    teamId: owner.teamId,
    purpose,
    filename: file.filename,
    bytes: file.bytes,
    createdAt: now,
    expiresAt,
    lineCount: checker ? checker.requests : null,
    batchUrl: checker?.url ?? null,
    models: checker ? [...checker.models] : null,
  };
  await insertFile(db(env.DB), row);
  return row;
}
