import type { Context, Handler } from "hono";
import type { AppEnv } from "../app-env";

/**
 * Azure OpenAI's paths (`/openai/deployments/{deployment}/chat/completions?api-version=...`) for
 * Azure SDK clients: the deployment named in the path is the model group, whatever the body says
 * (Azure clients may send none), and the call runs through the same handler as /v1.
 */
export function withPathModel(handler: Handler<AppEnv>): Handler<AppEnv> {
  return async (c: Context<AppEnv>, next) => {
    const model = c.req.param("deployment");
    const text = await c.req.raw.text().catch(() => "");
    let body = text;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (model && parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = JSON.stringify({ ...parsed, model });
    } catch {
      /* not JSON: the handler answers the 400 */
    }
    // Hono's own body-limit middleware swaps the request the same way.
    const headers = new Headers(c.req.raw.headers);
    headers.delete("content-length");
    c.req.raw = new Request(c.req.raw.url, { method: c.req.raw.method, headers, body, signal: c.req.raw.signal });
    return handler(c, next);
  };
}
