import { buildApp } from "./app";
import type { Env } from "./env";
import { loadConfig } from "./config/load";
import { healthCheckerOf } from "./gateway/health-checker";
import { consumeSpend } from "./spend/consumer";
import { pruneSpendLogs } from "./spend/retention";
import type { SpendMessage } from "./spend/event";
import { consumeExport } from "./telemetry/export-consumer";
import { EXPORT_QUEUE_NAME, type ExportMessage } from "./telemetry/export-message";

export { HealthChecker } from "./gateway/health-checker";
export { DeploymentGuard } from "./limits/deployment-guard";
export { KeyGuard } from "./limits/key-guard";

const app = buildApp();

export default {
  fetch: app.fetch,
  // Two queues, one handler: per-sink export batches, and spend events (the default).
  queue: (batch: MessageBatch<SpendMessage | ExportMessage>, env: Env, ctx?: ExecutionContext) =>
    batch.queue === EXPORT_QUEUE_NAME ? consumeExport(batch as MessageBatch<ExportMessage>, env, ctx ?? { waitUntil: () => {} }) : consumeSpend(batch as MessageBatch<SpendMessage>, env),
  async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    const config = await loadConfig(env, (p) => ctx.waitUntil(p));
    // Background health checks start with the first call that reads their results; the daily cron restarts them too.
    if (config.settings.health.background) ctx.waitUntil(healthCheckerOf(env).snapshot());
    const deleted = await pruneSpendLogs(env, config);
    console.log(JSON.stringify({ msg: "spend_logs retention", deleted }));
  },
} satisfies ExportedHandler<Env, SpendMessage | ExportMessage>;
