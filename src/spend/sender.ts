import type { Env } from "../env";
import type { SpendEvent, SpendMessage } from "./event";

/** How long an isolate gathers events before one queue send carries them all. */
const COALESCE_MS = 5;
/** Events per queue message (well under the 128 KB message limit with bounded metadata). */
const PER_MESSAGE = 100;

let pending: SpendEvent[] = [];
let flush: Promise<void> | undefined;

async function send(queue: Queue<SpendMessage>, events: SpendEvent[]): Promise<void> {
  const messages: MessageSendRequest<SpendMessage>[] = [];
  for (let i = 0; i < events.length; i += PER_MESSAGE) messages.push({ body: { events: events.slice(i, i + PER_MESSAGE) } });
  try {
    if (messages.length === 1) await queue.send(messages[0]!.body);
    else await queue.sendBatch(messages);
  } catch (e) {
    console.error(JSON.stringify({ msg: "spend queue send failed", events: events.length, error: String(e) }));
  }
}

/**
 * Records a spend event off the response path: events from concurrent requests in this isolate
 * are coalesced for a few ms into one queue send, and every contributing request's waitUntil holds
 * that shared send, so no event is stranded in an isolate that goes away.
 */
export function recordSpend(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, event: SpendEvent): void {
  pending.push(event);
  if (!flush) {
    flush = new Promise<void>((resolve) => setTimeout(resolve, COALESCE_MS)).then(() => {
      const batch = pending;
      pending = [];
      flush = undefined;
      return send(env.SPEND_QUEUE, batch);
    });
  }
  ctx.waitUntil(flush);
}
