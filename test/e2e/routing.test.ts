import { afterEach, describe, expect, it } from "vitest";
import { eventually, gw, openaiWith, withEnv } from "../helpers/gateway";
import { chatAnswer, chunked, fakeUpstream, json, received, resetUpstreams, sse } from "../helpers/upstream";

const dep = (name: string, host: string, extra = "") => `
  - model_name: ${name}
    litellm_params:
      model: openai/m-${host}
      api_base: https://${host}.test/v1
      api_key: k${extra}
    model_info:
      id: ${host}`;

const CONFIG = `
model_list:${dep("split", "w3", "\n      weight: 3")}${dep("split", "w1", "\n      weight: 1")}${dep("flaky", "dead")}${dep("flaky", "alive")}${dep("primary", "down1")}${dep("primary", "down2")}${dep("backup", "backup")}${dep("backup2", "backup2")}${dep("loop-a", "loopa")}${dep("loop-b", "loopb")}${dep("small", "small")}${dep("big", "big")}${dep("tiered", "tier1", "\n      order: 1")}${dep("tiered", "tier2", "\n      order: 2")}${dep("solo", "solo")}${dep("timed", "slowest", "\n      timeout: 0.2")}${dep("timed", "quick")}
  - model_name: "openai/*"
    litellm_params:
      model: "openai/*"
      api_base: https://wild.test/v1
      api_key: k
    model_info:
      id: wild-openai
router_settings:
  num_retries: 2
  allowed_fails: 1
  cooldown_time: 30
  fallbacks:
    - primary: [backup, backup2]
    - loop-a: [loop-b]
    - loop-b: [loop-a]
  context_window_fallbacks:
    - small: [big]
  model_group_alias:
    gpt-alias: solo
`;

const client = () => openaiWith({ GATEWAY_CONFIG: CONFIG });
const ask = (model: string, extra: Record<string, unknown> = {}) =>
  client()
    .chat.completions.create({ model, messages: [{ role: "user", content: "x" }], ...extra } as never)
    .withResponse();

const answerFrom = (host: string) => () => chatAnswer({ content: host, id: host, model: host });
const fail =
  (status: number, headers: Record<string, string> = {}) =>
  () =>
    json({ error: { message: `fail ${status}`, type: "server_error" } }, status, headers);
const hostsHit = () => received.map((r) => new URL(r.url).hostname.replace(".test", ""));

afterEach(resetUpstreams);

describe("load balancing", () => {
  it("splits simple-shuffle by weight (3:1 over 400 calls, within 5 standard deviations)", async () => {
    fakeUpstream("https://w3.test/v1", answerFrom("w3"));
    fakeUpstream("https://w1.test/v1", answerFrom("w1"));
    const counts: Record<string, number> = { w3: 0, w1: 0 };
    for (let i = 0; i < 400; i++) {
      const { response } = await ask("split");
      counts[response.headers.get("x-gateway-deployment")!]!++;
    }
    // Binomial(400, 0.75): mean 300, sd 8.66.
    expect(counts.w3).toBeGreaterThan(300 - 44);
    expect(counts.w3).toBeLessThan(300 + 44);
    expect(counts.w3! + counts.w1!).toBe(400);
  });

  it("uses a lower order tier only when the first has nothing healthy", async () => {
    fakeUpstream("https://tier1.test/v1", answerFrom("tier1"));
    fakeUpstream("https://tier2.test/v1", answerFrom("tier2"));
    for (let i = 0; i < 10; i++) expect((await ask("tiered")).data.choices[0]!.message.content).toBe("tier1");
    fakeUpstream("https://tier1.test/v1", fail(503));
    const { data, response } = await ask("tiered");
    expect(data.choices[0]!.message.content).toBe("tier2");
    expect(response.headers.get("x-gateway-attempts")).toBe("2");
  });
});

describe("retries and cooldowns", () => {
  it("never lets a flaky deployment reach the client, and cools a dead one", async () => {
    fakeUpstream("https://dead.test/v1", fail(500));
    fakeUpstream("https://alive.test/v1", answerFrom("alive"));
    for (let i = 0; i < 20; i++) {
      const { data } = await ask("flaky");
      expect(data.choices[0]!.message.content).toBe("alive");
    }
    // allowed_fails: 1 -> the second failure within a minute cools it; after that it is skipped.
    expect(hostsHit().filter((h) => h === "dead").length).toBeLessThanOrEqual(2);
  });

  it("retries the same deployment after a backoff, honouring retry-after", async () => {
    let n = 0;
    fakeUpstream("https://solo.test/v1", () => (++n === 1 ? fail(503, { "retry-after-ms": "50" })() : answerFrom("solo")()));
    const started = Date.now();
    const { data, response } = await ask("solo");
    expect(data.choices[0]!.message.content).toBe("solo");
    expect(response.headers.get("x-gateway-attempts")).toBe("2");
    expect(response.headers.get("x-litellm-attempted-retries")).toBe("1");
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it("does not retry a 400, and answers it at once", async () => {
    fakeUpstream("https://solo.test/v1", () => json({ error: { message: "bad param", type: "invalid_request_error", param: "temperature" } }, 400));
    const err = await ask("solo").catch((e) => e);
    expect(err.status).toBe(400);
    expect(received).toHaveLength(1);
  });

  it("a 429 cools a deployment of a group at once; with everything cooling the answer is a quick 429 with retry-after", async () => {
    fakeUpstream("https://w3.test/v1", fail(429, { "retry-after": "1" }));
    fakeUpstream("https://w1.test/v1", fail(429, { "retry-after": "1" }));
    const first = await ask("split").catch((e) => e);
    expect(first.status).toBe(429);
    expect(received).toHaveLength(2);
    const started = Date.now();
    const second = await ask("split").catch((e) => e);
    expect(second.status).toBe(429);
    expect(second.message).toContain("cooling");
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeLessThan(200);
    expect(received).toHaveLength(2);
  });

  it("a group's only deployment is never rested for transient errors (LiteLLM's rule): each call reaches it", async () => {
    fakeUpstream("https://solo.test/v1", fail(429, { "retry-after": "1" }));
    for (let i = 0; i < 5; i++) expect((await ask("solo", { num_retries: 0 }).catch((e) => e)).status).toBe(429);
    expect(received).toHaveLength(5);
    // A flaky one with retries keeps answering.
    let n = 0;
    fakeUpstream("https://solo.test/v1", () => (n++ % 2 === 0 ? fail(503)() : answerFrom("solo")()));
    for (let i = 0; i < 6; i++) expect((await ask("solo")).data.choices[0]!.message.content).toBe("solo");
  });

  it("a timeout is a 408 and retryable: the call moves to a deployment that answers", async () => {
    fakeUpstream("https://slowest.test/v1", () => new Promise<Response>((r) => setTimeout(() => r(answerFrom("slowest")()), 2000)));
    fakeUpstream("https://quick.test/v1", answerFrom("quick"));
    for (let i = 0; i < 4; i++) expect((await ask("timed")).data.choices[0]!.message.content).toBe("quick");
  });

  it("respects the request's num_retries", async () => {
    fakeUpstream("https://solo.test/v1", fail(500));
    const err = await ask("solo", { num_retries: 0 }).catch((e) => e);
    expect(err.status).toBe(500);
    expect(received).toHaveLength(1);
  });
});

describe("fallbacks", () => {
  it("follows the configured order when a group fails, and says so in the headers and the spend log", async () => {
    fakeUpstream("https://down1.test/v1", fail(503));
    fakeUpstream("https://down2.test/v1", fail(503));
    fakeUpstream("https://backup.test/v1", fail(500));
    fakeUpstream("https://backup2.test/v1", answerFrom("backup2"));
    const { data, response } = await ask("primary");
    expect(data.choices[0]!.message.content).toBe("backup2");
    expect(response.headers.get("x-gateway-fallbacks")).toBe("2");
    expect(response.headers.get("x-gateway-deployment")).toBe("backup2");
    expect(hostsHit().slice(0, 2).sort()).toEqual(["down1", "down2"]);
    expect(hostsHit().at(-1)).toBe("backup2");
    const id = response.headers.get("x-request-id");
    const row = await eventually(async () =>
      ((await (await gw("/spend/logs?api_key=master&page_size=1000")).json()) as Array<{ request_id: string; metadata: { attempts?: unknown[] } }>).find((r) => r.request_id === id),
    );
    // num_retries 2: three attempts on primary, three on backup (a group's only deployment is not rested for a 500), one on backup2.
    expect(row.metadata.attempts).toHaveLength(7);
    expect(row.metadata.attempts![6]).toMatchObject({ deployment: "backup2", model_group: "backup2", status: 200 });
  });

  it("stops at a loop and at max_fallbacks, with one clear error", async () => {
    fakeUpstream("https://loopa.test/v1", fail(503));
    fakeUpstream("https://loopb.test/v1", fail(503));
    const err = await ask("loop-a").catch((e) => e);
    expect(err.status).toBe(503);
    expect(err.headers.get("x-gateway-fallbacks")).toBe("1");
    const limited = await withEnv({ GATEWAY_CONFIG: `${CONFIG}\n  max_fallbacks: 1\n` }, "/v1/chat/completions", {
      method: "POST",
      body: JSON.stringify({ model: "primary", messages: [{ role: "user", content: "x" }] }),
    });
    expect(limited.headers.get("x-gateway-fallbacks")).toBe("1");
  });

  it("takes context_window_fallbacks on context_length_exceeded, without retrying", async () => {
    fakeUpstream("https://small.test/v1", () => json({ error: { message: "too long", type: "invalid_request_error", code: "context_length_exceeded" } }, 400));
    fakeUpstream("https://big.test/v1", answerFrom("big"));
    const { data } = await ask("small");
    expect(data.choices[0]!.message.content).toBe("big");
    expect(hostsHit()).toEqual(["small", "big"]);
  });

  it("takes the request's own fallbacks", async () => {
    fakeUpstream("https://solo.test/v1", fail(503));
    fakeUpstream("https://big.test/v1", answerFrom("big"));
    const { data } = await ask("solo", { fallbacks: ["big"], num_retries: 0 });
    expect(data.choices[0]!.message.content).toBe("big");
  });

  it("fails over a stream before its first byte, never after", async () => {
    fakeUpstream("https://down1.test/v1", fail(503));
    fakeUpstream("https://down2.test/v1", fail(503));
    fakeUpstream("https://backup.test/v1", () =>
      chunked([sse([{ id: "s", object: "chat.completion.chunk", created: 1, model: "b", choices: [{ index: 0, delta: { role: "assistant", content: "streamed" }, finish_reason: "stop" }] }])]),
    );
    const stream = await client().chat.completions.create({ model: "primary", messages: [{ role: "user", content: "x" }], stream: true });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
    expect(text).toBe("streamed");
  });
});

describe("strategies and models", () => {
  it("least-busy sends the next call to the deployment with fewer calls in flight", async () => {
    const cfg = CONFIG.replace("router_settings:", "router_settings:\n  routing_strategy: least-busy");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const hang = (host: string) => async () => {
      await gate;
      return answerFrom(host)();
    };
    fakeUpstream("https://w3.test/v1", hang("w3"));
    fakeUpstream("https://w1.test/v1", hang("w1"));
    const c = openaiWith({ GATEWAY_CONFIG: cfg });
    const first = c.chat.completions.create({ model: "split", messages: [{ role: "user", content: "x" }] });
    await new Promise((r) => setTimeout(r, 20));
    const second = c.chat.completions.create({ model: "split", messages: [{ role: "user", content: "x" }] });
    await new Promise((r) => setTimeout(r, 20));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(new Set([a.choices[0]!.message.content, b.choices[0]!.message.content])).toEqual(new Set(["w3", "w1"]));
  });

  it("latency-based-routing prefers the deployment that answers faster", async () => {
    const cfg = CONFIG.replace("router_settings:", "router_settings:\n  routing_strategy: latency-based-routing");
    fakeUpstream("https://w3.test/v1", () => new Promise<Response>((r) => setTimeout(() => r(answerFrom("w3")()), 40)));
    fakeUpstream("https://w1.test/v1", answerFrom("w1"));
    const c = openaiWith({ GATEWAY_CONFIG: cfg });
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) seen.push((await c.chat.completions.create({ model: "split", messages: [{ role: "user", content: "x" }] })).choices[0]!.message.content!);
    expect(seen.slice(2)).toEqual(Array(6).fill("w1"));
  });

  it("serves a wildcard group with the requested model name, and a model_group_alias", async () => {
    fakeUpstream("https://wild.test/v1", answerFrom("wild"));
    fakeUpstream("https://solo.test/v1", answerFrom("solo"));
    const { response } = await ask("openai/gpt-4.1-nano");
    expect(response.headers.get("x-gateway-deployment")).toBe("wild-openai");
    expect(received[0]!.json()).toMatchObject({ model: "gpt-4.1-nano" });
    expect((await ask("gpt-alias")).data.choices[0]!.message.content).toBe("solo");
  });

  it("refuses a config whose fallback names no model group", async () => {
    const res = await withEnv({ GATEWAY_CONFIG: `${CONFIG.replace("- primary: [backup, backup2]", "- primary: [nowhere]")}` }, "/v1/models");
    expect(res.status).toBe(503);
    expect((await res.json()).error.message).toContain("router_settings.fallbacks.primary");
  });

  it("usage-based-routing spreads by each deployment's own rpm/tpm use and skips one at its limit", async () => {
    const cfg = `
model_list:${dep("ub", "ub1", "\n      rpm: 2")}${dep("ub", "ub2", "\n      rpm: 2")}${dep("tok", "tok1", "\n      tpm: 10")}${dep("tok", "tok2", "\n      tpm: 1000")}
router_settings:
  routing_strategy: usage-based-routing
`;
    fakeUpstream("https://ub1.test/v1", answerFrom("ub1"));
    fakeUpstream("https://ub2.test/v1", answerFrom("ub2"));
    const c = openaiWith({ GATEWAY_CONFIG: cfg });
    const served: string[] = [];
    for (let i = 0; i < 4; i++) served.push((await c.chat.completions.create({ model: "ub", messages: [{ role: "user", content: "x" }] })).choices[0]!.message.content!);
    expect(served.filter((s) => s === "ub1")).toHaveLength(2);
    expect(served.filter((s) => s === "ub2")).toHaveLength(2);
    const over = await c.chat.completions.create({ model: "ub", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(over.status).toBe(429);
    expect(over.message).toContain("rpm/tpm limit");
    expect(received).toHaveLength(4);

    // tok1 spends 12 tokens of its 10-token tpm on its first call, and is skipped afterwards.
    const big = () => chatAnswer({ content: "t", prompt: 6, completion: 6, id: "t" });
    fakeUpstream("https://tok1.test/v1", big);
    fakeUpstream("https://tok2.test/v1", big);
    received.length = 0;
    for (let i = 0; i < 6; i++) await c.chat.completions.create({ model: "tok", messages: [{ role: "user", content: "x" }] });
    await new Promise((r) => setTimeout(r, 50));
    expect(received.filter((r) => r.url.includes("tok1")).length).toBeLessThanOrEqual(2);
  });
});
