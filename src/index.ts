import { buildApp } from "./app";
import type { Env } from "./env";
import { loadConfig } from "./config/load";
import { healthCheckerOf } from "./gateway/health-checker";
import { consumeSpend } from "./spend/consumer";
import { pruneSpendLogs } from "./spend/retention";
import type { SpendMessage } from "./spend/event";
import { consumeBatches } from "./batches/consumer";
import { BATCH_QUEUE_NAME, type BatchMessage } from "./batches/messages";
import { sweepBatches } from "./batches/sweep";
import { consumeExport } from "./telemetry/export-consumer";
import { EXPORT_QUEUE_NAME, type ExportMessage } from "./telemetry/export-message";

export { SemanticCacheIndex } from "./cache/semantic/durable";
export { HealthChecker } from "./gateway/health-checker";
export { DeploymentGuard } from "./limits/deployment-guard";
export { KeyGuard } from "./limits/key-guard";

const app = buildApp();

/** wrangler.toml [triggers]: the daily spend_logs retention (the other trigger only sweeps batches). */
const SPEND_RETENTION_CRON = "17 3 * * *";

export default {
  fetch: app.fetch,
  // Three queues, one handler: per-sink export batches, gateway-run batches, and spend events (the default).
  queue: (batch: MessageBatch<SpendMessage | ExportMessage | BatchMessage>, env: Env, ctx?: ExecutionContext) => {
    const context = ctx ?? { waitUntil: () => {} };
    if (batch.queue === EXPORT_QUEUE_NAME) return consumeExport(batch as MessageBatch<ExportMessage>, env, context);
    if (batch.queue === BATCH_QUEUE_NAME) return consumeBatches(batch as MessageBatch<BatchMessage>, env, context);
    return consumeSpend(batch as MessageBatch<SpendMessage>, env);
  },
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    // Every trigger: batches whose messages the queue gave up on are sent on again.
    const swept = await sweepBatches(env);
    if (swept) console.log(JSON.stringify({ msg: "batch sweep", messages: swept }));
    if (controller.cron !== SPEND_RETENTION_CRON) return;
    const config = await loadConfig(env, (p) => ctx.waitUntil(p));
    // Background health checks start with the first call that reads their results; the daily cron restarts them too.
    if (config.settings.health.background) ctx.waitUntil(healthCheckerOf(env).snapshot());
    const deleted = await pruneSpendLogs(env, config);
    console.log(JSON.stringify({ msg: "spend_logs retention", deleted }));
  },
} satisfies ExportedHandler<Env, SpendMessage | ExportMessage | BatchMessage>;
