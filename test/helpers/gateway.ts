import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env as workersEnv, exports } from "cloudflare:workers";
import OpenAI from "openai";
import { buildApp } from "../../src/app";
import type { Env } from "../../src/env";

export const MASTER = "sk-test-master";
export const BASE = "http://gw.test";

/** Calls the real worker (its default export), as a client would. */
export function gw(path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = init.key === undefined ? MASTER : init.key;
  if (key && !headers.has("authorization")) headers.set("authorization", `Bearer ${key}`);
  if (typeof init.body === "string" && !headers.has("content-type")) headers.set("content-type", "application/json");
  return exports.default.fetch(new Request(`${BASE}${path}`, { ...init, headers }));
}

/** POSTs JSON to the worker. */
export function post(path: string, body: unknown, key: string | null = MASTER): Promise<Response> {
  return gw(path, { method: "POST", body: JSON.stringify(body), key });
}

/** The official OpenAI client, pointed at the worker. */
export function openai(key: string = MASTER): OpenAI {
  return new OpenAI({
    apiKey: key,
    baseURL: `${BASE}/v1`,
    maxRetries: 0,
    fetch: (url: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(url as RequestInfo, init)),
  });
}

/** The official OpenAI client against the same app run with other bindings (e.g. another config). */
export function openaiWith(overrides: Partial<Env> & Record<string, unknown>, key: string = MASTER): OpenAI {
  const app = buildApp();
  return new OpenAI({
    apiKey: key,
    baseURL: `${BASE}/v1`,
    maxRetries: 0,
    fetch: async (url: RequestInfo | URL, init?: RequestInit) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request(url as RequestInfo, init), { ...env, ...overrides } as Env, ctx);
      return res;
    },
  });
}

/** Runs the same app with other bindings (a different config, no master key, ...). */
export async function withEnv(overrides: Partial<Env> & Record<string, unknown>, path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = init.key === undefined ? MASTER : init.key;
  if (key) headers.set("authorization", `Bearer ${key}`);
  if (typeof init.body === "string" && !headers.has("content-type")) headers.set("content-type", "application/json");
  const ctx = createExecutionContext();
  const res = await buildApp().fetch(new Request(`${BASE}${path}`, { ...init, headers }), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Creates a virtual key through the admin API and returns the response body. */
export async function newKey(fields: Record<string, unknown> = {}): Promise<{ key: string; token: string } & Record<string, unknown>> {
  const res = await post("/key/generate", fields);
  if (res.status !== 200) throw new Error(`key/generate: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Waits until `probe` returns a truthy value (queue consumers run on their own time). */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error("eventually: timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The test worker's bindings, typed. */
export const env = workersEnv as unknown as Env & Record<string, unknown>;
