import type { ResolvedConfig } from "../config/resolve";
import type { Env } from "../env";
import { parseDuration } from "../limits/duration";

const DEFAULT_RETENTION = "30d";

/**
 * The cron job: deletes spend_logs rows older than general_settings.maximum_spend_logs_retention_period
 * (default 30d). The daily rollups, which the reports read, stay. Returns how many rows went.
 */
export async function pruneSpendLogs(env: Env, config: ResolvedConfig): Promise<number> {
  const now = Date.now();
  const ms = parseDuration(config.settings.spendLogsRetention) ?? parseDuration(DEFAULT_RETENTION)!;
  const result = await env.DB.prepare("DELETE FROM spend_logs WHERE start_time < ? AND applied = 1")
    .bind(now - ms)
    .run();
  return result.meta.changes ?? 0;
}
