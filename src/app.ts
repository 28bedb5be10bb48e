import { Hono, type Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./app-env";
import { d1Faults } from "./http/d1-faults";
import { errorResponse, GatewayError } from "./http/errors";
import { limitBody, requestIds, requireAuth, withConfig } from "./http/middleware";
import { modelAuth } from "./routes/model-auth";
import { callbackRoutes } from "./routes/callbacks";
import { chatCompletions } from "./routes/chat";
import { isProviderFileBatchPath } from "./routes/batch-provider";
import { batchRoutes } from "./routes/batches";
import { embeddings } from "./routes/embeddings";
import { fileRoutes } from "./routes/files";
import { health } from "./routes/health";
import { modelGroupInfo } from "./routes/model-groups";
import { anthropicPassthrough } from "./routes/passthrough-anthropic";
import { googlePassthrough } from "./routes/passthrough-google";
import { passThroughRoutes } from "./routes/pass-through";
import { googleErrorResponse, isGoogleRoute } from "./formats/google/errors";
import { deploymentHealth, modelHealth } from "./routes/model-health";
import { keyRoutes } from "./routes/keys";
import { modelAdmin } from "./routes/model-admin";
import { metricsRoutes } from "./routes/metrics";
import { listModels } from "./routes/models";
import { spendRoutes } from "./routes/spend";
import { surfaces } from "./routes/surfaces";
import { anthropicErrorResponse, isAnthropicRoute } from "./formats/anthropic/errors";
import { teamRoutes } from "./routes/teams";
import { uiPages, uiSession } from "./routes/ui";
import { userRoutes } from "./routes/users";
import { teamMemberRoutes } from "./routes/team-members";
import { teamCallbackRoutes } from "./routes/team-callbacks";
import { orgRoutes } from "./routes/organizations";
import { customerRoutes } from "./routes/customers";
import { cacheRoutes } from "./routes/cache";
import { installAuthenticators } from "./http/auth";
import { identityAuthenticators } from "./identity/authenticators";

/** The Hono app: request id, then (past the health routes) config, auth, body limit, the routes. */
export function buildApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  installAuthenticators(identityAuthenticators);
  app.use(requestIds);
  app.use(d1Faults); // (hardening helper, issue 11) D1 outages answer 503, never 500; before health so every route shares one env (config cache)
  app.route("/", health);
  app.route("/", uiPages);
  app.use(withConfig);
  app.post("*", limitBody);
  app.route("/", uiSession);
  app.use(passThroughRoutes);

  for (const prefix of ["/v1", ""]) {
    app.post(`${prefix}/chat/completions`, modelAuth, chatCompletions);
    app.post(`${prefix}/embeddings`, modelAuth, embeddings);
    app.get(`${prefix}/models`, requireAuth("key"), listModels);
  }
  // An admin route (its role row: proxy admins), so the UI session's "Test" button may call it too.
  app.get("/health", requireAuth("admin"), modelHealth);
  app.get("/health/deployments", requireAuth("admin"), deploymentHealth);
  app.get("/model_group/info", requireAuth("key"), modelGroupInfo);
  app.route("/", surfaces);
  // Files and batches before the pass-throughs: LiteLLM's /{provider}/v1/files|batches (e.g. /vertex_ai/v1/batches) are theirs.
  app.route("/", fileRoutes);
  app.route("/", batchRoutes);
  app.route("/", anthropicPassthrough);
  app.route("/", googlePassthrough);
  app.route("/", keyRoutes);
  app.route("/", spendRoutes);
  app.route("/", modelAdmin);
  app.route("/", teamRoutes);
  app.route("/", callbackRoutes);
  app.route("/", metricsRoutes);
  app.route("/", userRoutes);
  app.route("/", teamMemberRoutes);
  app.route("/", teamCallbackRoutes);
  app.route("/", orgRoutes);
  app.route("/", customerRoutes);
  app.route("/", cacheRoutes);

  // /v1/messages answers in Anthropic's error shape (auth errors included).
  // ... and the /gemini, /vertex_ai pass-through in Google's.
  // LiteLLM's /{provider}/v1/files|batches (even /anthropic/..., /vertex_ai/...) speak OpenAI's Files and Batch APIs.
  const respond = (c: Context<AppEnv>) =>
    isProviderFileBatchPath(c.req.path) ? errorResponse : isAnthropicRoute(c.req.path) ? anthropicErrorResponse : isGoogleRoute(c.req.path) ? googleErrorResponse : errorResponse;
  app.notFound((c) => respond(c)(new GatewayError(404, "This route does not exist on the gateway.", "invalid_request_error", "not_found")));
  app.onError((err, c) => {
    if (err instanceof GatewayError) return respond(c)(err);
    // (hardening helper, issue 11) drizzle wraps a driver error (D1 down: http/d1-faults.ts) in its own
    if (err instanceof Error && err.cause instanceof GatewayError) return respond(c)(err.cause);
    if (err instanceof HTTPException) {
      return respond(c)(new GatewayError(err.status as 400, err.message || "Bad request.", "invalid_request_error", null));
    }
    console.error(JSON.stringify({ msg: "unhandled error", error: err instanceof Error ? err.stack : String(err) }));
    return respond(c)(new GatewayError(500, "The gateway failed on this request.", "internal_error", "internal_error"));
  });
  return app;
}
