import type { Env } from "../env";
import { parkExport } from "../telemetry/dead-letters";
import { addTeamAliases, exportBatches, queueExports } from "../telemetry/export-queue";
import { metered, metricStatements } from "../telemetry/metrics/aggregate";
import { alertOnFailures } from "../telemetry/outage-alerts";
import type { SpendEvent, SpendMessage } from "./event";

const EVENTS_PER_D1_BATCH = 200;

const SUMS = `COUNT(*), SUM(s.prompt_tokens), SUM(s.completion_tokens), COALESCE(SUM(s.spend), 0),
  SUM(CASE WHEN s.status = 'failure' THEN 1 ELSE 0 END), SUM(CASE WHEN s.spend IS NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN json_extract(s.metadata, '$.cache_hit') = 1 THEN 1 ELSE 0 END), COALESCE(SUM(json_extract(s.metadata, '$.saved_cost')), 0)`;
const ADD = `requests = requests + excluded.requests, prompt_tokens = prompt_tokens + excluded.prompt_tokens,
  completion_tokens = completion_tokens + excluded.completion_tokens, spend = spend + excluded.spend,
  failed_requests = failed_requests + excluded.failed_requests, unpriced_requests = unpriced_requests + excluded.unpriced_requests,
  cache_hits = cache_hits + excluded.cache_hits, saved_spend = saved_spend + excluded.saved_spend`;
const DAY = `strftime('%Y-%m-%d', s.start_time / 1000, 'unixepoch')`;

/** The daily rollups grow by the rows this batch inserted (still unapplied), and by nothing else. */
const ROLLUP_DAILY = `INSERT INTO spend_daily (day, api_key, team_id, model_group, provider, user, requests, prompt_tokens, completion_tokens, spend, failed_requests, unpriced_requests, cache_hits, saved_spend)
  SELECT ${DAY}, s.api_key, COALESCE(s.team_id, ''), s.model_group, s.provider, COALESCE(json_extract(s.metadata, '$.user'), ''), ${SUMS}
  FROM spend_logs s WHERE s.applied = 0 GROUP BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (day, api_key, team_id, model_group, provider, user) DO UPDATE SET ${ADD}`;
const ROLLUP_TAGS = `INSERT INTO spend_daily_tags (day, tag, requests, prompt_tokens, completion_tokens, spend, failed_requests, unpriced_requests, cache_hits, saved_spend)
  SELECT ${DAY}, t.value, ${SUMS}
  FROM spend_logs s, json_each(COALESCE(json_extract(s.metadata, '$.tags'), '[]')) t WHERE s.applied = 0 GROUP BY 1, 2
  ON CONFLICT (day, tag) DO UPDATE SET ${ADD}`;

function isEvent(e: unknown): e is SpendEvent {
  const o = e as SpendEvent;
  return !!o && typeof o.request_id === "string" && typeof o.api_key === "string" && typeof o.start_time === "number";
}

/**
 * Writes spend events to D1, one D1 batch (one transaction) per 200 events: each row is inserted
 * only if its request id is new, marked unapplied; then the totals of keys and teams grow by the
 * unapplied rows only, and the rows are marked applied. A redelivered event inserts nothing, so it
 * never counts twice; a batch that fails changes nothing.
 */
export async function writeSpend(env: Env, events: SpendEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += EVENTS_PER_D1_BATCH) {
    const chunk = events.slice(i, i + EVENTS_PER_D1_BATCH);
    // Prometheus series grow in the same transaction, from the rows this batch inserts (see metrics/aggregate.ts).
    if (metered(chunk).length) await addTeamAliases(env, metered(chunk));
    const rows = chunk.map((e) => ({
      request_id: e.request_id,
      api_key: e.api_key,
      model: e.model,
      model_group: e.model_group,
      provider: e.provider,
      deployment: e.deployment,
      prompt_tokens: e.prompt_tokens,
      completion_tokens: e.completion_tokens,
      spend: e.spend,
      status: e.status,
      start_time: e.start_time,
      end_time: e.end_time,
      metadata: JSON.stringify(e.metadata ?? {}),
      team_id: e.team_id ?? null,
      response_id: e.response_id ?? null,
      batch_id: e.batch_id ?? null,
      custom_id: e.custom_id ?? null,
    }));
    if (!rows.length) continue;
    // One statement for the whole batch: the rows travel as one JSON parameter (D1 binds at most
    // 100 parameters a statement, and a statement per row costs far more than the insert). Only a
    // known request id is skipped (not OR IGNORE, which would also drop a malformed row silently).
    await env.DB.batch([
      env.DB.prepare(`INSERT INTO spend_logs
          (request_id, api_key, model, model_group, provider, deployment, prompt_tokens, completion_tokens, spend, status, start_time, end_time, metadata, team_id, response_id, batch_id, custom_id, applied)
        SELECT value ->> 'request_id', value ->> 'api_key', value ->> 'model', value ->> 'model_group', value ->> 'provider', value ->> 'deployment',
               value ->> 'prompt_tokens', value ->> 'completion_tokens', value ->> 'spend', value ->> 'status', value ->> 'start_time', value ->> 'end_time',
               value ->> 'metadata', value ->> 'team_id', value ->> 'response_id', value ->> 'batch_id', value ->> 'custom_id', 0
        FROM json_each(?) WHERE true
        ON CONFLICT (request_id) DO NOTHING`).bind(JSON.stringify(rows)),
      env.DB.prepare(`UPDATE keys SET spend = spend + (SELECT COALESCE(SUM(s.spend), 0) FROM spend_logs s WHERE s.applied = 0 AND s.api_key = keys.token)
                WHERE token IN (SELECT api_key FROM spend_logs WHERE applied = 0)`),
      env.DB.prepare(`UPDATE teams SET spend = spend + (SELECT COALESCE(SUM(s.spend), 0) FROM spend_logs s WHERE s.applied = 0 AND s.team_id = teams.team_id)
                WHERE team_id IN (SELECT team_id FROM spend_logs WHERE applied = 0 AND team_id IS NOT NULL)`),
      // An internal user's and an organization's totals: through the key's user and the team's
      // organization (as they are when the row is written); an end user's: the call's `user` field.
      env.DB.prepare(`UPDATE users SET spend = spend + (SELECT COALESCE(SUM(s.spend), 0) FROM spend_logs s JOIN keys k ON k.token = s.api_key WHERE s.applied = 0 AND k.user_id = users.user_id)
                WHERE user_id IN (SELECT k.user_id FROM spend_logs s JOIN keys k ON k.token = s.api_key WHERE s.applied = 0 AND k.user_id IS NOT NULL)`),
      env.DB.prepare(`UPDATE organizations SET spend = spend + (SELECT COALESCE(SUM(s.spend), 0) FROM spend_logs s JOIN teams t ON t.team_id = s.team_id WHERE s.applied = 0 AND t.organization_id = organizations.organization_id)
                WHERE organization_id IN (SELECT t.organization_id FROM spend_logs s JOIN teams t ON t.team_id = s.team_id WHERE s.applied = 0 AND t.organization_id IS NOT NULL)`),
      env.DB.prepare(`UPDATE end_users SET spend = spend + (SELECT COALESCE(SUM(s.spend), 0) FROM spend_logs s WHERE s.applied = 0 AND s.metadata ->> '$.user' = end_users.user_id)
                WHERE user_id IN (SELECT s.metadata ->> '$.user' FROM spend_logs s WHERE s.applied = 0 AND s.metadata ->> '$.user' IS NOT NULL)`),
      env.DB.prepare(ROLLUP_DAILY),
      env.DB.prepare(ROLLUP_TAGS),
      ...metricStatements(env.DB, chunk),
      env.DB.prepare(`UPDATE spend_logs SET applied = 1 WHERE applied = 0`),
    ]);
  }
}

/** Attempts after which a failing batch is split: what can be written is, the rest is parked. */
const MAX_ATTEMPTS = 5;

/** Keeps an event that cannot be written, for GET /spend/dead_letters and its replay. */
export async function park(env: Env, event: unknown, error: string, attempts: number): Promise<void> {
  const id = isEvent(event) ? event.request_id : `malformed-${crypto.randomUUID()}`;
  await env.DB.prepare(
    `INSERT INTO spend_dead_letters (request_id, event, error, attempts, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (request_id) DO UPDATE SET error = excluded.error, attempts = excluded.attempts`,
  )
    .bind(id, JSON.stringify(event), error.slice(0, 1000), attempts, Date.now())
    .run();
}

/**
 * The Queue consumer: a failed batch is retried with backoff (a redelivery is harmless). After
 * MAX_ATTEMPTS the batch is written event by event: every event that can land does, and each one
 * that still fails is parked in spend_dead_letters, so nothing is lost and nothing counts twice.
 */
export async function consumeSpend(batch: MessageBatch<SpendMessage>, env: Env): Promise<void> {
  const events: SpendEvent[] = [];
  const malformed: unknown[] = [];
  for (const m of batch.messages) {
    const list = (m.body as SpendMessage | undefined)?.events;
    if (!Array.isArray(list)) malformed.push(m.body);
    else for (const e of list) (isEvent(e) ? events : malformed).push(e);
  }
  const attempts = Math.max(...batch.messages.map((m) => m.attempts));
  try {
    for (const m of malformed) await park(env, m, "not a spend event", attempts);
    await writeSpend(env, events);
  } catch (e) {
    console.error(JSON.stringify({ msg: "spend batch failed", events: events.length, attempts, error: String(e) }));
    if (attempts < MAX_ATTEMPTS) {
      batch.retryAll({ delaySeconds: Math.min(300, 2 ** attempts) });
      return;
    }
    try {
      for (const event of events) {
        try {
          await writeSpend(env, [event]);
        } catch (err) {
          await park(env, event, String(err), attempts);
        }
      }
      batch.ackAll();
    } catch (err) {
      console.error(JSON.stringify({ msg: "spend events could not be parked; retrying", error: String(err) }));
      batch.retryAll({ delaySeconds: 300 });
    }
    return;
  }
  await exportAfterWrite(batch, env, events, attempts);
}

/**
 * The rows are written: the calls go to their sinks' export batches. If that hand-over fails the
 * spend batch is delivered again (rewriting its rows changes nothing); after MAX_ATTEMPTS the
 * batches are parked in export_dead_letters so a replay can send them.
 */
async function exportAfterWrite(batch: MessageBatch<SpendMessage>, env: Env, events: SpendEvent[], attempts: number): Promise<void> {
  try {
    await queueExports(env, events);
    batch.ackAll();
    await alertOnFailures(env, events);
  } catch (e) {
    console.error(JSON.stringify({ msg: "export hand-over failed", events: events.length, attempts, error: String(e) }));
    if (attempts < MAX_ATTEMPTS) {
      batch.retryAll({ delaySeconds: Math.min(300, 2 ** attempts) });
      return;
    }
    try {
      for (const m of exportBatches(events)) await parkExport(env, m, `not handed to the export queue: ${String(e)}`, 0);
      batch.ackAll();
    } catch (err) {
      console.error(JSON.stringify({ msg: "export batches could not be parked; retrying", error: String(err) }));
      batch.retryAll({ delaySeconds: 300 });
    }
  }
}

/** How many parked events one replay call takes (oldest first). */
const REPLAY_LIMIT = 500;

/** Replays parked events through the same idempotent write; what lands leaves the table. */
export async function replayDeadLetters(env: Env): Promise<{ replayed: number; failed: number }> {
  const { results } = await env.DB.prepare("SELECT request_id, event FROM spend_dead_letters ORDER BY created_at LIMIT ?").bind(REPLAY_LIMIT).all<{ request_id: string; event: string }>();
  let replayed = 0;
  let failed = 0;
  for (const row of results) {
    try {
      const event = JSON.parse(row.event) as unknown;
      if (!isEvent(event)) throw new Error("not a spend event");
      await writeSpend(env, [event]);
      await env.DB.prepare("DELETE FROM spend_dead_letters WHERE request_id = ?").bind(row.request_id).run();
      replayed++;
    } catch (e) {
      await env.DB.prepare("UPDATE spend_dead_letters SET error = ? WHERE request_id = ?").bind(String(e).slice(0, 1000), row.request_id).run();
      failed++;
    }
  }
  return { replayed, failed };
}
