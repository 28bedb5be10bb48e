import { buildApp } from "./app";
import type { Env } from "./env";
import { loadConfig } from "./config/load";
import { consumeSpend } from "./spend/consumer";
import { pruneSpendLogs } from "./spend/retention";
import type { SpendMessage } from "./spend/event";

export { DeploymentGuard } from "./limits/deployment-guard";
export { KeyGuard } from "./limits/key-guard";

const app = buildApp();

export default {
  fetch: app.fetch,
  queue: (batch: MessageBatch<SpendMessage>, env: Env) => consumeSpend(batch, env),
  async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    const config = await loadConfig(env, (p) => ctx.waitUntil(p));
    const deleted = await pruneSpendLogs(env, config);
    console.log(JSON.stringify({ msg: "spend_logs retention", deleted }));
  },
} satisfies ExportedHandler<Env, SpendMessage>;
