import { buildApp } from "./app";
import type { Env } from "./env";
import { consumeSpend } from "./spend/consumer";
import type { SpendMessage } from "./spend/event";

export { DeploymentGuard } from "./limits/deployment-guard";
export { KeyGuard } from "./limits/key-guard";

const app = buildApp();

export default {
  fetch: app.fetch,
  queue: (batch: MessageBatch<SpendMessage>, env: Env) => consumeSpend(batch, env),
} satisfies ExportedHandler<Env, SpendMessage>;
