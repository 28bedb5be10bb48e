import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { SINK_NAMES } from "../config/callbacks";
import { invalidRequest } from "../http/errors";
import { requireAuth } from "../http/middleware";
import { sinkTarget } from "../telemetry/sinks/registry";
import { listExportDeadLetters, replayExportDeadLetters } from "../telemetry/dead-letters";

/** Export batches parked by their sinks: listed, and sent again (master key). */
export const callbackRoutes = new Hono<AppEnv>();

function sinkParam(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  // A key's or team's own sink is named <callback>@key:<token> or <callback>@team:<team id>.
  if (!sinkTarget(value)) throw invalidRequest(`'sink' must be one of ${SINK_NAMES.join(", ")}, or a key's or team's own sink (<callback>@key:<token>, <callback>@team:<team id>).`, "sink");
  return value;
}

function whole(value: string | undefined, param: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalidRequest(`'${param}' must be a whole number from 1 to ${max}.`, param);
  return n;
}

callbackRoutes.get("/callbacks/dead_letters", requireAuth("admin"), async (c) => {
  const q = c.req.query();
  return c.json(await listExportDeadLetters(c.env, sinkParam(q.sink), whole(q.page, "page", 1, 1_000_000), whole(q.page_size, "page_size", 100, 1000)));
});

callbackRoutes.post("/callbacks/dead_letters/replay", requireAuth("admin"), async (c) => {
  const q = c.req.query();
  return c.json(await replayExportDeadLetters(c.env, sinkParam(q.sink), whole(q.limit, "limit", 100, 1000)));
});
