import { afterEach, describe, expect, it } from "vitest";
import { runLine } from "../../src/batches/run-line";
import type { VectorIndexBinding } from "../../src/cache/semantic/vectorize";
import { resolveConfig } from "../../src/config/resolve";
import { findBatch } from "../../src/db/batches";
import { db } from "../../src/db/client";
import { env, eventually, gw, MASTER, newKey, withEnv } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

/** Issue 15: `cache_params.type: semantic` -- the nearest earlier prompt above the threshold answers. */
afterEach(() => resetUpstreams());

const UPSTREAM = "https://api.openai.test/v1";
const EMB_PRICE = 0.0000001;
const deps = [
  {
    model_name: "cached",
    litellm_params: { model: "openai/gpt-4o-mini", api_base: UPSTREAM, api_key: "os.environ/OPENAI_API_KEY", input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 },
    model_info: { id: "sem-chat" },
  },
  {
    model_name: "emb",
    litellm_params: { model: "openai/text-embedding-3-small", api_base: UPSTREAM, api_key: "os.environ/OPENAI_API_KEY", input_cost_per_token: EMB_PRICE },
    model_info: { id: "sem-emb" },
  },
];

/** A config with its own namespace (each test its own index), semantic on the `emb` group. */
function config(params: Record<string, unknown> = {}) {
  return { model_list: deps, litellm_settings: { cache: true, cache_params: { type: "semantic", embedding_model: "emb", namespace: `sem-${crypto.randomUUID()}`, ...params } } };
}

// A deterministic bag-of-words embedding: one dimension per word ever seen (no collisions), counts as values.
const vocabulary = new Map<string, number>();
const DIMS = 512;
function bagOfWords(text: string): number[] {
  const v = new Array<number>(DIMS).fill(0);
  for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    if (!vocabulary.has(w)) vocabulary.set(w, vocabulary.size);
    v[vocabulary.get(w)! % DIMS]! += 1;
  }
  return v;
}

let n = 0;
function answering(): void {
  fakeUpstream(UPSTREAM, (req, body) => {
    if (req.url.endsWith("/embeddings")) {
      const input = (JSON.parse(body) as { input: string }).input;
      return json({ object: "list", data: [{ object: "embedding", index: 0, embedding: bagOfWords(input) }], model: "e", usage: { prompt_tokens: 7, total_tokens: 7 } });
    }
    n += 1;
    return json({
      id: `c${n}`,
      object: "chat.completion",
      created: 1,
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: `answer ${n}` }, finish_reason: "stop" }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    });
  });
}

const chatCalls = () => received.filter((r) => r.url.endsWith("/chat/completions")).length;
const embedCalls = () => received.filter((r) => r.url.endsWith("/embeddings")).length;
const ask = (content: string, extra: Record<string, unknown> = {}) => ({ model: "cached", messages: [{ role: "user", content }], ...extra });

function call(cfg: unknown, body: unknown, key = MASTER, bindings: Record<string, unknown> = {}) {
  return withEnv({ GATEWAY_CONFIG: cfg as Record<string, unknown>, ...bindings }, "/v1/chat/completions", { method: "POST", body: JSON.stringify(body), key });
}

const NEAR_A = "Tell me the capital city of France";
const NEAR_B = "Please tell me the capital city of France";
const UNRELATED = "How do volcanoes form under the ocean";

describe("semantic cache (Durable Object index)", () => {
  it("a near-duplicate prompt is answered from the cache, an unrelated one is not", async () => {
    answering();
    const cfg = config();
    const first = await call(cfg, ask(NEAR_A));
    expect(first.headers.get("x-cache")).toBe("MISS");
    const firstBody = await first.json();
    const near = await call(cfg, ask(NEAR_B));
    expect(near.headers.get("x-cache")).toBe("HIT");
    expect(near.headers.get("x-gateway-cost")).toBe("0");
    expect(await near.json()).toEqual(firstBody);
    // The entry that answered is the first prompt's (its key, not the near-duplicate's own).
    const again = await call(cfg, ask(NEAR_A));
    expect(again.headers.get("x-cache")).toBe("HIT");
    expect(near.headers.get("x-litellm-cache-key")).toBe(again.headers.get("x-litellm-cache-key"));
    const other = await call(cfg, ask(UNRELATED));
    expect(other.headers.get("x-cache")).toBe("MISS");
    expect(chatCalls()).toBe(2);
    expect(embedCalls()).toBe(4);
    // The hit's spend row: $0, cache_hit, what it saved and how similar the prompts were.
    const id = near.headers.get("x-request-id")!;
    const row = await eventually(async () =>
      ((await (await gw(`/spend/logs?request_id=${id}`)).json()) as Array<{ request_id: string; spend: number; metadata: Record<string, unknown> }>).find((r) => r.request_id === id),
    );
    expect(row.spend).toBe(0);
    expect(row.metadata.cache_hit).toBe(true);
    expect(row.metadata.saved_cost).toBeCloseTo(0.00002, 12);
    expect(row.metadata.semantic_similarity).toBeGreaterThan(0.8);
    expect(row.metadata.semantic_similarity).toBeLessThan(1);
  });

  it("the threshold is respected: below similarity_threshold is a miss", async () => {
    answering();
    const cfg = config({ similarity_threshold: 0.95 });
    await call(cfg, ask(NEAR_A));
    expect((await call(cfg, ask(NEAR_B))).headers.get("x-cache")).toBe("MISS");
    // The exact prompt still hits.
    expect((await call(cfg, ask(NEAR_A))).headers.get("x-cache")).toBe("HIT");
    expect(chatCalls()).toBe(2);
  });

  it("other request fields must be equal: a different temperature is a miss", async () => {
    answering();
    const cfg = config();
    await call(cfg, ask(NEAR_A, { temperature: 0.1 }));
    expect((await call(cfg, ask(NEAR_B, { temperature: 0.9 }))).headers.get("x-cache")).toBe("MISS");
    expect((await call(cfg, ask(NEAR_B, { temperature: 0.1 }))).headers.get("x-cache")).toBe("HIT");
  });

  it("no-cache still stores the answer with its vector; an exact cache type never embeds", async () => {
    answering();
    const cfg = config();
    expect((await call(cfg, ask(NEAR_A, { cache: { "no-cache": true } }))).headers.get("cf-aig-cache-status")).toBe("BYPASS");
    expect((await call(cfg, ask(NEAR_B))).headers.get("x-cache")).toBe("HIT");
    const exact = { model_list: deps, litellm_settings: { cache: true, cache_params: { type: "local" } } };
    const before = embedCalls();
    await call(exact, ask(`${NEAR_A} ${crypto.randomUUID()}`));
    expect(embedCalls()).toBe(before);
  });

  it("the embedding call's cost is recorded as its own spend row", async () => {
    answering();
    const cfg = config();
    const res = await call(cfg, ask(NEAR_A));
    const id = `${res.headers.get("x-request-id")}-embed`;
    const row = await eventually(async () =>
      ((await (await gw(`/spend/logs?request_id=${id}`)).json()) as Array<{ request_id: string; model_group: string; spend: number; prompt_tokens: number }>).find((r) => r.request_id === id),
    );
    expect(row.model_group).toBe("emb");
    expect(row.prompt_tokens).toBe(7);
    expect(row.spend).toBeCloseTo(7 * EMB_PRICE, 12);
  });

  it("scope key (default): another key does not get a near-duplicate's answer", async () => {
    answering();
    const cfg = config();
    const [a, b] = [await newKey(), await newKey()];
    await call(cfg, ask(NEAR_A), a.key);
    expect((await call(cfg, ask(NEAR_B), a.key)).headers.get("x-cache")).toBe("HIT");
    expect((await call(cfg, ask(NEAR_B), b.key)).headers.get("x-cache")).toBe("MISS");
    expect(chatCalls()).toBe(2);
  });

  it("scope team: a key of the same team shares, a key of another team does not", async () => {
    answering();
    const cfg = config({ scope: "team" });
    const [t1, t2] = [`team-${crypto.randomUUID()}`, `team-${crypto.randomUUID()}`];
    for (const t of [t1, t2]) expect((await gw("/team/new", { method: "POST", body: JSON.stringify({ team_id: t }) })).status).toBe(200);
    const [a, b, c] = [await newKey({ team_id: t1 }), await newKey({ team_id: t1 }), await newKey({ team_id: t2 })];
    await call(cfg, ask(NEAR_A), a.key);
    expect((await call(cfg, ask(NEAR_B), b.key)).headers.get("x-cache")).toBe("HIT");
    expect((await call(cfg, ask(NEAR_B), c.key)).headers.get("x-cache")).toBe("MISS");
  });

  it("prompts with tools are matched exactly only", async () => {
    answering();
    const cfg = config();
    const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } }];
    await call(cfg, ask(NEAR_A, { tools }));
    expect((await call(cfg, ask(NEAR_B, { tools }))).headers.get("x-cache")).toBe("MISS");
    expect((await call(cfg, ask(NEAR_A, { tools }))).headers.get("x-cache")).toBe("HIT");
    expect(embedCalls()).toBe(0);
    // ... unless configured.
    const open = config({ semantic_include_tools_and_images: true });
    await call(open, ask(NEAR_A, { tools }));
    expect((await call(open, ask(NEAR_B, { tools }))).headers.get("x-cache")).toBe("HIT");
  });

  it("the index keeps at most max_entries entries, the oldest evicted", async () => {
    answering();
    const cfg = config({ max_entries: 2 });
    const prompts = ["alpha bravo charlie", "delta echo foxtrot", "golf hotel india"];
    for (const p of prompts) expect((await call(cfg, ask(p))).headers.get("x-cache")).toBe("MISS");
    const index = env.SEMANTIC_CACHE!.get(env.SEMANTIC_CACHE!.idFromName(cfg.litellm_settings.cache_params.namespace));
    expect(await index.size()).toBe(2);
    expect((await call(cfg, ask(prompts[2]!))).headers.get("x-cache")).toBe("HIT");
    expect((await call(cfg, ask(prompts[1]!))).headers.get("x-cache")).toBe("HIT");
    expect((await call(cfg, ask(prompts[0]!))).headers.get("x-cache")).toBe("MISS");
  });

  it("/cache/ping writes, reads and deletes a probe entry in the index", async () => {
    const cfg = config({ similarity_threshold: 0.9 });
    const res = await withEnv({ GATEWAY_CONFIG: cfg as unknown as string }, "/cache/ping");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "healthy", cache_type: "semantic", litellm_cache_params: { embedding_model: "emb", similarity_threshold: 0.9, max_entries: 1000 } });
    const index = env.SEMANTIC_CACHE!.get(env.SEMANTIC_CACHE!.idFromName(cfg.litellm_settings.cache_params.namespace));
    expect(await index.size()).toBe(0);
  });

  it("a semantic hit asked for as a stream is replayed as one", async () => {
    answering();
    const cfg = config();
    await call(cfg, ask(NEAR_A));
    const hit = await call(cfg, ask(NEAR_B, { stream: true }));
    expect(hit.headers.get("x-cache")).toBe("HIT");
    const text = await hit.text();
    expect(text).toContain('"object":"chat.completion.chunk"');
    expect(text).toContain("answer ");
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });
});

/** An in-memory stand-in for a Vectorize binding (Vectorize is not emulated locally): cosine scores per namespace. */
class MemoryVectorIndex implements VectorIndexBinding {
  readonly rows = new Map<string, { values: number[]; namespace: string; metadata: Record<string, string | number> }>();
  async query(vector: number[], o: { topK: number; namespace: string }) {
    const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    const matches = [...this.rows.entries()]
      .filter(([, r]) => r.namespace === o.namespace)
      .map(([id, r]) => ({ id, score: r.values.reduce((s, x, i) => s + x * (vector[i] ?? 0), 0) / (norm(r.values) * norm(vector)), metadata: r.metadata }))
      .sort((a, b) => b.score - a.score)
      .slice(0, o.topK);
    return { matches };
  }
  async upsert(vectors: Array<{ id: string; values: number[]; namespace: string; metadata: Record<string, string | number> }>) {
    for (const v of vectors) this.rows.set(v.id, { values: v.values, namespace: v.namespace, metadata: v.metadata });
    return { count: vectors.length };
  }
  async deleteByIds(ids: string[]) {
    for (const id of ids) this.rows.delete(id);
    return { count: ids.length };
  }
}

describe("semantic cache with vector_index (Vectorize, here an in-memory stand-in)", () => {
  it("a near-duplicate hits, an unrelated prompt misses; answers live in KV", async () => {
    answering();
    const index = new MemoryVectorIndex();
    const cfg = config({ vector_index: "TEST_VECTORS" });
    const bindings = { TEST_VECTORS: index };
    const first = await call(cfg, ask(NEAR_A), MASTER, bindings);
    expect(first.headers.get("x-cache")).toBe("MISS");
    expect(index.rows.size).toBe(1);
    const near = await call(cfg, ask(NEAR_B), MASTER, bindings);
    expect(near.headers.get("x-cache")).toBe("HIT");
    const key = near.headers.get("x-litellm-cache-key")!;
    expect(await env.CACHE_KV!.get(key)).not.toBeNull();
    expect((await call(cfg, ask(UNRELATED), MASTER, bindings)).headers.get("x-cache")).toBe("MISS");
    expect(chatCalls()).toBe(2);
    // /cache/delete removes the answer and its vector.
    const del = await withEnv({ GATEWAY_CONFIG: cfg as unknown as string, ...bindings }, "/cache/delete", { method: "POST", body: JSON.stringify({ keys: [key] }) });
    expect(del.status).toBe(200);
    expect(index.rows.size).toBe(1);
    expect((await call(cfg, ask(NEAR_B), MASTER, bindings)).headers.get("x-cache")).toBe("MISS");
  });
});

describe("semantic cache config", () => {
  const resolve = (params: Record<string, unknown>, bindings: Record<string, unknown> = { SEMANTIC_CACHE: {} }) =>
    resolveConfig({ model_list: deps, general_settings: { master_key: "sk-0123456789abcdef0123456789abcdef" }, litellm_settings: { cache: true, cache_params: params } }, bindings);

  it("reads its parameters, with LiteLLM's example threshold 0.8 by default", () => {
    const c = resolve({ type: "semantic", embedding_model: "emb", max_entries: 50 });
    expect(c.error).toBeUndefined();
    expect(c.settings.cache?.semantic).toEqual({ embeddingModel: "emb", threshold: 0.8, maxEntries: 50, includeToolsAndImages: false });
  });

  it("a missing or unknown embedding model, or a bad threshold, is a config error naming it", () => {
    expect(resolve({ type: "semantic" }).error).toContain("cache_params.embedding_model: type semantic needs an embedding model");
    expect(resolve({ type: "semantic", embedding_model: "nope" }).error).toContain("cache_params.embedding_model: 'nope' is not a model_name in model_list");
    expect(resolve({ type: "semantic", embedding_model: "emb", similarity_threshold: 1.5 }).error).toContain("cache_params.similarity_threshold");
  });

  it("semantic parameters with another type, LiteLLM's redis/qdrant semantic types and a missing Vectorize binding are listed", () => {
    expect(resolve({ type: "local", similarity_threshold: 0.9 }).unsupported.join("\n")).toContain("similarity_threshold: only read with type: semantic");
    const qdrant = resolve({ type: "qdrant-semantic" });
    expect(qdrant.settings.cache).toBeUndefined();
    expect(qdrant.unsupported.join("\n")).toContain("use type: semantic with vector_index");
    const noIndex = resolve({ type: "semantic", embedding_model: "emb", vector_index: "VECTORS" }, { CACHE_KV: {} });
    expect(noIndex.settings.cache).toBeUndefined();
    expect(noIndex.unsupported.join("\n")).toContain("needs the binding(s) VECTORS");
  });
});

describe("semantic cache for gateway-run batch lines", () => {
  it("a batch line is answered by a semantic hit, as a live call is", async () => {
    answering();
    const cfg = config();
    const live = await call(cfg, ask(NEAR_A));
    expect(live.headers.get("x-cache")).toBe("MISS");
    const liveBody = (await live.json()) as { choices: Array<{ message: { content: string } }> };
    expect(chatCalls()).toBe(1);

    // A batch of two lines (the second stays pending, so this test's run does not finalize it).
    const id = `batch_sem_${crypto.randomUUID().replaceAll("-", "")}`;
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO batches (id, owner_key_id, endpoint, input_file_id, completion_window, status, total, created_at, in_progress_at, expires_at) VALUES (?, 'master', '/v1/chat/completions', 'file-sem', '24h', 'in_progress', 2, ?, ?, ?)",
    )
      .bind(id, now, now, now + 86_400_000)
      .run();
    for (const [i, content] of [NEAR_B, UNRELATED].entries()) {
      await env.DB.prepare("INSERT INTO batch_lines (batch_id, custom_id, line_no, body, state, updated_at) VALUES (?, ?, ?, ?, 'pending', ?)")
        .bind(id, `line-${i}`, i, JSON.stringify(ask(content)), now)
        .run();
    }
    const row = await findBatch(db(env.DB), id);
    const resolved = resolveConfig({ ...cfg, general_settings: { master_key: MASTER } }, env as unknown as Record<string, unknown>);
    expect(resolved.error).toBeUndefined();
    const waits: Promise<unknown>[] = [];
    const next = await runLine({ env, config: resolved, batch: row!, customId: "line-0", principal: async () => ({ kind: "master" }), waitUntil: (p) => waits.push(p) });
    await Promise.allSettled(waits);
    expect(next).toEqual({ ack: true });
    const line = await env.DB.prepare("SELECT state, result, cost FROM batch_lines WHERE batch_id = ? AND custom_id = 'line-0'").bind(id).first<{ state: string; result: string; cost: number }>();
    expect(line?.state).toBe("done");
    const result = JSON.parse(line!.result) as { response: { status_code: number; body: { choices: Array<{ message: { content: string } }> } } };
    expect(result.response.status_code).toBe(200);
    // The earlier answer, no second chat call upstream; the line's prompt was embedded once.
    expect(result.response.body.choices[0]!.message.content).toBe(liveBody.choices[0]!.message.content);
    expect(chatCalls()).toBe(1);
    expect(embedCalls()).toBe(2);
    expect(line!.cost).toBe(0);
  });
});
