import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { authenticate } from "../http/auth";
import { forbidden } from "../http/errors";
import { renderMetrics } from "../telemetry/metrics/render";

/** GET /metrics: LiteLLM's Prometheus metrics, global across isolates (aggregated in D1 by the spend consumer). */
export const metricsRoutes = new Hono<AppEnv>();

const enc = new TextEncoder();

/** Whether the request carries PROMETHEUS_TOKEN as a bearer token (compared without an early exit). */
async function scrapeToken(headers: Headers, token: string | undefined): Promise<boolean> {
  const m = /^Bearer\s+(.+)$/i.exec(headers.get("authorization")?.trim() ?? "");
  if (!token || !m) return false;
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", enc.encode(m[1]!.trim())), crypto.subtle.digest("SHA-256", enc.encode(token))]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

metricsRoutes.get("/metrics", async (c) => {
  if (!(await scrapeToken(c.req.raw.headers, c.env.PROMETHEUS_TOKEN))) {
    const principal = await authenticate(c.req.raw.headers, c.env, c.get("config"));
    if (principal.kind !== "master") throw forbidden("/metrics needs the master key or the PROMETHEUS_TOKEN bearer token.");
  }
  return c.body(await renderMetrics(c.env.DB), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
});
