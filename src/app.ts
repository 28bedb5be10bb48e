import { Hono, type Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./app-env";
import { errorResponse, GatewayError } from "./http/errors";
import { limitBody, requestIds, requireAuth, withConfig } from "./http/middleware";
import { chatCompletions } from "./routes/chat";
import { embeddings } from "./routes/embeddings";
import { health } from "./routes/health";
import { keyRoutes } from "./routes/keys";
import { modelAdmin } from "./routes/model-admin";
import { listModels } from "./routes/models";
import { spendRoutes } from "./routes/spend";
import { surfaces } from "./routes/surfaces";
import { anthropicErrorResponse, isAnthropicRoute } from "./formats/anthropic/errors";
import { teamRoutes } from "./routes/teams";
import { userRoutes } from "./routes/users";
import { teamMemberRoutes } from "./routes/team-members";
import { orgRoutes } from "./routes/organizations";
import { customerRoutes } from "./routes/customers";

/** The Hono app: request id, then (past the health routes) config, auth, body limit, the routes. */
export function buildApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestIds);
  app.route("/", health);
  app.use(withConfig);
  app.post("*", limitBody);

  for (const prefix of ["/v1", ""]) {
    app.post(`${prefix}/chat/completions`, requireAuth("model"), chatCompletions);
    app.post(`${prefix}/embeddings`, requireAuth("model"), embeddings);
    app.get(`${prefix}/models`, requireAuth("key"), listModels);
  }
  app.route("/", surfaces);
  app.route("/", keyRoutes);
  app.route("/", spendRoutes);
  app.route("/", modelAdmin);
  app.route("/", teamRoutes);
  app.route("/", userRoutes);
  app.route("/", teamMemberRoutes);
  app.route("/", orgRoutes);
  app.route("/", customerRoutes);

  // /v1/messages answers in Anthropic's error shape (auth errors included).
  const respond = (c: Context<AppEnv>) => (isAnthropicRoute(c.req.path) ? anthropicErrorResponse : errorResponse);
  app.notFound((c) =>
    respond(c)(new GatewayError(404, "This route does not exist on the gateway.", "invalid_request_error", "not_found")),
  );
  app.onError((err, c) => {
    if (err instanceof GatewayError) return respond(c)(err);
    if (err instanceof HTTPException) {
      return respond(c)(new GatewayError(err.status as 400, err.message || "Bad request.", "invalid_request_error", null));
    }
    console.error(JSON.stringify({ msg: "unhandled error", error: err instanceof Error ? err.stack : String(err) }));
    return respond(c)(new GatewayError(500, "The gateway failed on this request.", "internal_error", "internal_error"));
  });
  return app;
}
