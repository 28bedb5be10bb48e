import type { Deployment } from "../../config/deployment";
import type { BatchRow } from "../../db/schema";
import type { Env } from "../../env";
import { keepResultFile, resultWriter } from "../finalize";
import { textLines } from "../lines";
import { batchPrice, lineUsage } from "./price";
import type { UpstreamBatchApi } from "./upstream";

/** One answered line of a native batch's output file: what its spend row records. */
export interface AnsweredLine {
  customId: string;
  responseId: string | null;
  promptTokens: number;
  completionTokens: number;
  /** USD at the batch rate; null when the model has no price. */
  cost: number | null;
}

interface ResultLine {
  custom_id?: unknown;
  response?: { status_code?: unknown; body?: unknown } | null;
}

/**
 * Copies one of the upstream batch's result files into R2 as the batch's own output or error file
 * (owned by the batch's owner, lines as the upstream wrote them: OpenAI's line format, with the
 * `custom_id`s the client sent). For the output file, each answered line's usage is priced at the
 * batch rate. The file streams through; only the answered lines' figures are kept.
 */
export async function copyResultFile(
  env: Env,
  batch: BatchRow,
  api: UpstreamBatchApi,
  dep: Deployment,
  upstreamFileId: string,
  kind: "output" | "error",
): Promise<{ fileId: string | null; answered: AnsweredLine[] }> {
  const writer = resultWriter(env, batch, kind);
  const answered: AnsweredLine[] = [];
  try {
    for await (const text of textLines(await api.fileContent(upstreamFileId))) {
      if (!text.trim()) continue;
      await writer.write(`${text}\n`);
      if (kind !== "output") continue;
      let line: ResultLine;
      try {
        line = JSON.parse(text) as ResultLine;
      } catch {
        continue;
      }
      const status = line.response?.status_code;
      if (typeof line.custom_id !== "string" || (typeof status === "number" && status >= 300)) continue;
      const body = line.response?.body;
      const usage = lineUsage(body);
      const id = (body as { id?: unknown } | null)?.id;
      answered.push({
        customId: line.custom_id,
        responseId: typeof id === "string" ? id.slice(0, 256) : null,
        promptTokens: usage?.prompt_tokens ?? 0,
        completionTokens: usage?.completion_tokens ?? 0,
        cost: usage ? batchPrice(dep, usage) : null,
      });
    }
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return { fileId: await keepResultFile(env, batch, kind, writer), answered };
}
