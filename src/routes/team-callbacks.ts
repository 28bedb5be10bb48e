import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import type { TeamRow } from "../db/schema";
import { findTeam, teamKeys, updateTeam } from "../db/teams";
import { GatewayError, invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { requireAuth } from "../http/middleware";
import { mayTeam, outOfReach, reachesAll } from "../identity/scope";
import { forgetKey } from "../limits/key-cache";
import { type LoggingEntry, maskEntries, parseEntry, sealLogging, storedEntries } from "../telemetry/tenant-logging";

/**
 * LiteLLM's team callback routes (team-based logging): a team's own sinks, kept in its
 * metadata.logging with their credentials encrypted. Proxy admins and the team's admins.
 */
export const teamCallbackRoutes = new Hono<AppEnv>();

const notFound = (id: string) => new GatewayError(404, `Team '${id}' was not found.`, "invalid_request_error", "team_not_found", "team_id");

async function teamOf(c: Context<AppEnv>): Promise<TeamRow> {
  const id = c.req.param("team_id") ?? "";
  if (!mayTeam(c.get("actor"), id)) throw outOfReach(`team '${id}'`);
  const row = await findTeam(db(c.env.DB), id);
  if (!row) throw notFound(id);
  return row;
}

/** What is in effect for the team: callback names per outcome and their variables, credentials masked. */
function callbackView(teamId: string, entries: LoggingEntry[]) {
  const masked = maskEntries(entries);
  return {
    team_id: teamId,
    success_callbacks: masked.filter((e) => e.callback_type !== "failure").map((e) => e.callback_name),
    failure_callbacks: masked.filter((e) => e.callback_type !== "success").map((e) => e.callback_name),
    callback_vars: Object.assign({}, ...masked.map((e) => e.callback_vars)) as Record<string, string>,
    logging: masked,
  };
}

/** Stores the team's new logging list; its keys' cached records (which carry it) are dropped in this isolate. */
async function saveLogging(c: Context<AppEnv>, team: TeamRow, entries: LoggingEntry[]): Promise<TeamRow> {
  const d = db(c.env.DB);
  const row = await updateTeam(d, team.teamId, { metadata: { ...team.metadata, logging: entries } });
  if (!row) throw notFound(team.teamId);
  for (const k of await teamKeys(d, team.teamId)) forgetKey(k.token);
  return row;
}

teamCallbackRoutes.post("/team/:team_id/callback", requireAuth("admin"), async (c) => {
  const team = await teamOf(c);
  const body = await readJson(c);
  const stored = storedEntries(team.metadata.logging);
  const entry = parseEntry(body, "", { path: "", allowEnvRefs: reachesAll(c.get("actor")) }, []);
  if (stored.some((e) => e.callback_name === entry.callback_name)) {
    throw invalidRequest(
      `callback_name = ${entry.callback_name} already exists for team_id = ${team.teamId}; remove it first (DELETE /team/${team.teamId}/callback/${entry.callback_name}).`,
      "callback_name",
    );
  }
  const [sealed] = await sealLogging([entry], c.env as unknown as Record<string, unknown>);
  const row = await saveLogging(c, team, [...stored, sealed!]);
  return c.json({ status: "success", data: callbackView(row.teamId, storedEntries(row.metadata.logging)) });
});

teamCallbackRoutes.get("/team/:team_id/callback", requireAuth("admin"), async (c) => {
  const team = await teamOf(c);
  return c.json({ status: "success", data: callbackView(team.teamId, storedEntries(team.metadata.logging)) });
});

teamCallbackRoutes.delete("/team/:team_id/callback/:callback_name", requireAuth("admin"), async (c) => {
  const team = await teamOf(c);
  const name = c.req.param("callback_name");
  const stored = storedEntries(team.metadata.logging);
  const kept = stored.filter((e) => e.callback_name !== name);
  if (kept.length === stored.length)
    throw new GatewayError(404, `callback_name = ${name} is not registered for team_id = ${team.teamId}.`, "invalid_request_error", "callback_not_found", "callback_name");
  const row = await saveLogging(c, team, kept);
  return c.json({ status: "success", message: `Callback ${name} removed for team ${row.teamId}`, data: callbackView(row.teamId, kept) });
});

teamCallbackRoutes.post("/team/:team_id/disable_logging", requireAuth("admin"), async (c) => {
  const team = await teamOf(c);
  const row = await saveLogging(c, team, []);
  return c.json({ status: "success", message: `Logging disabled for team ${row.teamId}`, data: { team_id: row.teamId, success_callbacks: [], failure_callbacks: [] } });
});
