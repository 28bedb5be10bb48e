import { ignoreSharedCooldowns } from "../../src/gateway/health-sync";
import { isolateHealth } from "../../src/router/health";

/**
 * Fake upstream providers at the fetch boundary. The worker runs in the same isolate as the
 * tests, so replacing the global `fetch` intercepts every upstream call it makes; a URL with no
 * fake registered fails loudly (nothing ever reaches the network).
 */
export interface Received {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

type Handler = (req: Request, body: string) => Response | Promise<Response>;

const fakes: Array<{ prefix: string; handler: Handler }> = [];
export const received: Received[] = [];
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input as RequestInfo, init);
    const fake = fakes.find((f) => req.url.startsWith(f.prefix));
    if (!fake) throw new TypeError(`test: no fake upstream for ${req.method} ${req.url}`);
    if (req.signal?.aborted) throw req.signal.reason ?? new DOMException("aborted", "AbortError");
    const body = req.body ? await req.text() : "";
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => {
      headers[k] = v;
    });
    received.push({ url: req.url, method: req.method, headers, body, json: () => JSON.parse(body) });
    const answer = fake.handler(req, body);
    if (!req.signal) return answer;
    // Honour the caller's AbortSignal the way real fetch does (timeouts, clients going away).
    return await new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(req.signal.reason ?? new DOMException("aborted", "AbortError"));
      req.signal.addEventListener("abort", onAbort, { once: true });
      Promise.resolve(answer)
        .then(resolve, reject)
        .finally(() => req.signal.removeEventListener("abort", onAbort));
    });
  };
}

/** Answers requests whose URL starts with `prefix` (later registrations of the same prefix win). */
export function fakeUpstream(prefix: string, handler: Handler): void {
  install();
  const i = fakes.findIndex((f) => f.prefix === prefix);
  if (i >= 0) fakes.splice(i, 1);
  fakes.unshift({ prefix, handler });
}

/** Forgets the fakes, what they received, and the router's memory of failures (cooldowns). */
export function resetUpstreams(): void {
  fakes.length = 0;
  received.length = 0;
  isolateHealth.clear();
  // Cooldowns other tests shared (through the health checker object) are not brought back either.
  ignoreSharedCooldowns();
}

/** A JSON response. */
export const json = (value: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json", ...headers } });

/** A fake upstream's OpenAI chat completion: one assistant message that stopped, and its usage (total = prompt + completion). */
export const chatAnswer = ({
  content = "ok",
  prompt = 1,
  completion = 1,
  id = "c",
  model = "m",
}: {
  content?: string;
  prompt?: number;
  completion?: number;
  id?: string;
  model?: string;
} = {}): Response =>
  json({
    id,
    object: "chat.completion",
    created: 1,
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  });

/** A streamed response whose body is `parts`, each sent as its own chunk. */
export function chunked(parts: Array<string | Uint8Array>, contentType = "text/event-stream", opts: { failAfter?: boolean } = {}): Response {
  const enc = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < parts.length) {
        const p = parts[i++]!;
        controller.enqueue(typeof p === "string" ? enc.encode(p) : p);
      } else if (opts.failAfter) controller.error(new Error("connection reset"));
      else controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": contentType } });
}

/** SSE text for a list of data payloads (objects are JSON-encoded), optionally with `[DONE]`. */
export function sse(events: unknown[], done = true): string {
  return events.map((e) => `data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`).join("") + (done ? "data: [DONE]\n\n" : "");
}
