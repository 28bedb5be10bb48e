import { afterEach, describe, expect, it } from "vitest";
import { eventually, gw, newKey } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, json, resetUpstreams } from "../helpers/upstream";

/**
 * Issue 11, defect 9: a call's budget reservation covers what it can cost: `n` completions, every
 * image it asks for, the characters of a speech input, the seconds an audio file can hold; and a
 * token count passes the guards (model lists) as any call to its model does.
 */
afterEach(resetUpstreams);

/** A fake upstream that answers only when released, so the call's reservation can be read in flight. */
function held(prefix: string, answer: () => Response): () => void {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  fakeUpstream(prefix, async () => {
    await gate;
    return answer();
  });
  return release;
}

async function reservedWhileInFlight(key: { key: string; token: string }, send: () => Promise<Response>, release: () => void): Promise<number> {
  const call = send();
  const reserved = await eventually(async () => {
    const info = await (await gw(`/key/info?key=${key.token}`)).json<{ info: { reserved_spend: number; parallel_requests_in_flight: number } }>();
    return info.info.reserved_spend > 0 ? info.info.reserved_spend : undefined;
  });
  release();
  const res = await call;
  expect(res.status).toBe(200);
  return reserved;
}

const houseAnswer = () => chatAnswer({ id: "chatcmpl-n", model: "house-model" });

describe("reservations cover the whole call", () => {
  it("reserves for every one of n completions", async () => {
    const release = held("https://api.openai.test/v1/chat", houseAnswer);
    const k = await newKey({ max_budget: 100 });
    // priced: $2 per million output tokens; 1,000 tokens x 5 completions = $0.01 (+ the prompt's few tokens).
    const reserved = await reservedWhileInFlight(
      k,
      () => gw("/v1/chat/completions", { method: "POST", key: k.key, body: JSON.stringify({ model: "priced", n: 5, max_tokens: 1000, messages: [{ role: "user", content: "hi" }] }) }),
      release,
    );
    expect(reserved).toBeGreaterThanOrEqual(0.01);
    expect(reserved).toBeLessThan(0.0101);
  });

  it("reserves the price of every image asked for", async () => {
    const release = held("https://images.openai.test/v1", () => json({ created: 1, data: [{ url: "https://x.test/1" }, { url: "https://x.test/2" }, { url: "https://x.test/3" }] }));
    const k = await newKey({ max_budget: 100 });
    const reserved = await reservedWhileInFlight(k, () => gw("/v1/images/generations", { method: "POST", key: k.key, body: JSON.stringify({ model: "dall-e", prompt: "a cat", n: 3 }) }), release);
    expect(reserved).toBeCloseTo(0.12, 10);
  });

  it("reserves the price of a speech input's characters", async () => {
    const release = held("https://audio.openai.test/v1/audio/speech", () => new Response(new Uint8Array([1, 2, 3]), { headers: { "content-type": "audio/mpeg" } }));
    const k = await newKey({ max_budget: 100 });
    const input = "x".repeat(4000);
    const reserved = await reservedWhileInFlight(k, () => gw("/v1/audio/speech", { method: "POST", key: k.key, body: JSON.stringify({ model: "tts", input, voice: "alloy" }) }), release);
    expect(reserved).toBeCloseTo(4000 * 0.000015, 10);
  });

  it("reserves for the longest an uploaded audio file can play", async () => {
    const release = held("https://audio.openai.test/v1/audio/transcriptions", () => json({ text: "hello", duration: 3 }));
    const k = await newKey({ max_budget: 100 });
    const form = new FormData();
    form.set("model", "whisper");
    form.set("file", new File([new Uint8Array(50_000)], "a.mp3", { type: "audio/mpeg" }));
    const reserved = await reservedWhileInFlight(k, () => gw("/v1/audio/transcriptions", { method: "POST", key: k.key, body: form }), release);
    // 50,000 bytes at 4 kbit/s: at most 100 s, at $0.0001 a second.
    expect(reserved).toBeCloseTo(0.01, 10);
  });
});

describe("count_tokens is a call to its model", () => {
  it("is refused for a model outside the key's team's models", async () => {
    const team = await (await gw("/team/new", { method: "POST", body: JSON.stringify({ models: ["gpt-4o-mini"] }) })).json<{ team_id: string }>();
    const k = await newKey({ team_id: team.team_id });
    const res = await gw("/v1/messages/count_tokens", { method: "POST", key: k.key, body: JSON.stringify({ model: "priced", messages: [{ role: "user", content: "hi" }] }) });
    expect(res.status).toBe(403);
    const allowed = await gw("/v1/messages/count_tokens", { method: "POST", key: k.key, body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }) });
    expect(allowed.status).toBe(200);
    expect((await allowed.json<{ input_tokens: number }>()).input_tokens).toBeGreaterThan(0);
  });

  it("counts toward the key's rpm", async () => {
    const k = await newKey({ rpm_limit: 1 });
    const count = () => gw("/v1/messages/count_tokens", { method: "POST", key: k.key, body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }) });
    expect((await count()).status).toBe(200);
    expect((await count()).status).toBe(429);
  });
});
