import type { Env } from "../env";
import { boundSpendEvent } from "./bounds";
import { park, writeSpend } from "./consumer";
import type { SpendEvent, SpendMessage } from "./event";

/** How long an isolate gathers events before one queue send carries them all. */
const COALESCE_MS = 20;

/**
 * Cloudflare Queues' limits: 128 KB a message (about 100 bytes of it the queue's own metadata),
 * 256 KB and 100 messages a `sendBatch`. Kept with a margin, counted in UTF-8 bytes.
 */
export const MAX_MESSAGE_BYTES = 120_000;
export const MAX_BATCH_BYTES = 240_000;
const MAX_BATCH_MESSAGES = 100;

/** Events kept for the next flush when neither the queue nor D1 took them (beyond this the oldest are dropped, and logged). */
const MAX_PENDING = 10_000;

/** Flushes an event may fail both ways (queue and D1) before it is given up. */
const MAX_DIRECT_TRIES = 3;
const failures = new WeakMap<SpendEvent, number>();

let pending: SpendEvent[] = [];
let flush: Promise<void> | undefined;

const encoder = new TextEncoder();
const byteLength = (v: unknown) => {
  const text = JSON.stringify(v);
  // Pure ASCII (the usual event) is one byte a character: no need to encode it to count.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range starts at NUL on purpose
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).length;
};

/** `{"events":[` ... `]}` */
const ENVELOPE_BYTES = byteLength({ events: [] });

interface Sized {
  event: SpendEvent;
  bytes: number;
}

/** An event that fits one message (bounds make this the rule; a last resort drops its metadata). */
function sized(event: SpendEvent): Sized {
  const bytes = byteLength(event);
  if (ENVELOPE_BYTES + bytes <= MAX_MESSAGE_BYTES) return { event, bytes };
  const trimmed = { ...event, metadata: { truncated: true } };
  return { event: trimmed, bytes: byteLength(trimmed) };
}

/** Events packed into messages under MAX_MESSAGE_BYTES, and messages into batches under the batch limits. */
function packSpend(events: SpendEvent[]): { messages: SpendMessage[]; bytes: number }[] {
  const batches: { messages: SpendMessage[]; bytes: number }[] = [];
  let batch: { messages: SpendMessage[]; bytes: number } = { messages: [], bytes: 2 };
  let message: SpendEvent[] = [];
  let messageBytes = ENVELOPE_BYTES;
  const closeMessage = () => {
    if (!message.length) return;
    // A batch counts as the JSON array of its messages: brackets and commas too.
    if (batch.messages.length >= MAX_BATCH_MESSAGES || batch.bytes + messageBytes + 1 > MAX_BATCH_BYTES) {
      batches.push(batch);
      batch = { messages: [], bytes: 2 };
    }
    batch.bytes += messageBytes + (batch.messages.length ? 1 : 0);
    batch.messages.push({ events: message });
    message = [];
    messageBytes = ENVELOPE_BYTES;
  };
  for (const e of events) {
    const s = sized(e);
    const extra = s.bytes + (message.length ? 1 : 0);
    if (messageBytes + extra > MAX_MESSAGE_BYTES) closeMessage();
    messageBytes += s.bytes + (message.length ? 1 : 0);
    message.push(s.event);
  }
  closeMessage();
  if (batch.messages.length) batches.push(batch);
  return batches;
}

async function sendOnce(queue: Queue<SpendMessage>, messages: SpendMessage[]): Promise<void> {
  if (messages.length === 1) await queue.send(messages[0]!);
  else await queue.sendBatch(messages.map((body) => ({ body })));
}

/** An event D1 keeps refusing goes to spend_dead_letters (GET /spend/dead_letters, replayable), as the consumer's do. */
async function parkOrLog(env: Env, event: SpendEvent, error: unknown, tries: number): Promise<void> {
  try {
    await park(env, event, String(error), tries);
  } catch (e) {
    console.error(JSON.stringify({ msg: "spend event lost: neither the queue, D1 nor the dead letters took it", request_id: event.request_id, tries, error: String(e) }));
  }
}

/**
 * One batch to the queue: a failed send is retried once; if it fails again the events are written
 * straight to D1 by the consumer's own (idempotent) writer. Returns the events neither took.
 */
async function deliver(env: Env, messages: SpendMessage[]): Promise<SpendEvent[]> {
  let error: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await sendOnce(env.SPEND_QUEUE, messages);
      return [];
    } catch (e) {
      error = e;
    }
  }
  const events = messages.flatMap((m) => m.events);
  console.error(JSON.stringify({ msg: "spend queue send failed twice; writing to D1 directly", events: events.length, error: String(error) }));
  try {
    await writeSpend(env, events);
    return [];
  } catch {
    // One event D1 refuses must not hold back the others: each alone, and one that keeps failing is given up (logged).
    const left: SpendEvent[] = [];
    for (const event of events) {
      try {
        await writeSpend(env, [event]);
      } catch (e) {
        const tries = (failures.get(event) ?? 0) + 1;
        failures.set(event, tries);
        if (tries < MAX_DIRECT_TRIES) left.push(event);
        else await parkOrLog(env, event, e, tries);
      }
    }
    if (left.length) console.error(JSON.stringify({ msg: "spend events could not be written; kept for the next flush", events: left.length }));
    return left;
  }
}

/**
 * Records a spend event off the response path: events from concurrent requests in this isolate
 * are coalesced for a few ms, bounded (src/spend/bounds.ts), packed by bytes, and sent. The
 * request that opens a flush holds it in its waitUntil (its own promise, so no promise crosses
 * request contexts, which workerd cancels); the others only add to it. Events neither the queue
 * nor D1 took leave with the next flush.
 */
export function recordSpend(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, event: SpendEvent): void {
  pending.push(boundSpendEvent(event));
  if (flush) return;
  flush = new Promise<void>((resolve) => setTimeout(resolve, COALESCE_MS)).then(async () => {
    const events = pending;
    pending = [];
    const left: SpendEvent[] = [];
    try {
      for (const batch of packSpend(events)) left.push(...(await deliver(env, batch.messages)));
    } finally {
      if (left.length) {
        pending = [...left, ...pending];
        if (pending.length > MAX_PENDING) {
          console.error(JSON.stringify({ msg: "spend events dropped", events: pending.length - MAX_PENDING }));
          pending = pending.slice(-MAX_PENDING);
        }
      }
      flush = undefined;
    }
  });
  ctx.waitUntil(flush);
}

/**
 * Sends events now and waits until the queue (or D1) has them; throws when some could not be
 * delivered. For work that must not end before its spend is safe (a native batch's result lines);
 * rows are written once per request id, so sending again after a failure is harmless.
 */
export async function sendSpendNow(env: Env, events: SpendEvent[]): Promise<void> {
  for (const batch of packSpend(events.map(boundSpendEvent))) {
    const left = await deliver(env, batch.messages);
    if (left.length) throw new Error(`${left.length} spend events could not be delivered`);
  }
}
