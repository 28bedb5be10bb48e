import type { Env } from "../env";
import type { SpendEvent, SpendMessage } from "./event";

/** How long an isolate gathers events before one queue send carries them all. */
const COALESCE_MS = 20;
/** Events per queue message (well under the 128 KB message limit with bounded metadata). */
const PER_MESSAGE = 100;

let pending: SpendEvent[] = [];
let flush: Promise<void> | undefined;

/** Events kept for a retry when a send fails (beyond this the oldest are dropped, and logged). */
const MAX_PENDING = 10_000;

/** A queue message stays under the 128 KB limit, a sendBatch under its 256 KB (events with exported content are larger). */
const MAX_MESSAGE_BYTES = 100_000;
const MAX_SEND_BYTES = 200_000;

/** The events as queue messages: at most PER_MESSAGE events and MAX_MESSAGE_BYTES each. */
function messagesOf(events: SpendEvent[]): Array<{ body: SpendMessage; size: number }> {
  const out: Array<{ body: SpendMessage; size: number }> = [];
  let current: SpendEvent[] = [];
  let size = 0;
  for (const e of events) {
    const n = JSON.stringify(e).length + 1;
    if (current.length && (current.length >= PER_MESSAGE || size + n > MAX_MESSAGE_BYTES)) {
      out.push({ body: { events: current }, size });
      current = [];
      size = 0;
    }
    current.push(e);
    size += n;
  }
  if (current.length) out.push({ body: { events: current }, size });
  return out;
}

async function send(queue: Queue<SpendMessage>, events: SpendEvent[]): Promise<boolean> {
  const messages = messagesOf(events);
  try {
    if (messages.length === 1) await queue.send(messages[0]!.body);
    else {
      let group: MessageSendRequest<SpendMessage>[] = [];
      let size = 0;
      for (const m of messages) {
        if (group.length && (size + m.size > MAX_SEND_BYTES || group.length >= 100)) {
          await queue.sendBatch(group);
          group = [];
          size = 0;
        }
        group.push({ body: m.body });
        size += m.size;
      }
      if (group.length) await queue.sendBatch(group);
    }
    return true;
  } catch (e) {
    console.error(JSON.stringify({ msg: "spend queue send failed; kept for the next send", events: events.length, error: String(e) }));
    return false;
  }
}

/**
 * Records a spend event off the response path: events from concurrent requests in this isolate
 * are coalesced for a few ms into one queue send. The request that opens a batch holds the send in
 * its waitUntil (its own promise, so no promise crosses request contexts, which workerd cancels);
 * the others only add to the batch. A batch whose send was cut short stays pending and leaves
 * with the next one.
 */
export function recordSpend(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, event: SpendEvent): void {
  pending.push(event);
  if (flush) return;
  flush = new Promise<void>((resolve) => setTimeout(resolve, COALESCE_MS)).then(async () => {
    const batch = pending;
    pending = [];
    try {
      if (!(await send(env.SPEND_QUEUE, batch))) {
        pending = [...batch, ...pending];
        if (pending.length > MAX_PENDING) {
          console.error(JSON.stringify({ msg: "spend events dropped", events: pending.length - MAX_PENDING }));
          pending = pending.slice(-MAX_PENDING);
        }
      }
    } finally {
      flush = undefined;
    }
  });
  ctx.waitUntil(flush);
}
