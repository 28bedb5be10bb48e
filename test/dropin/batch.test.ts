import { afterEach, describe, expect, it } from "vitest";
import { eventually, newKey, openai, post } from "../helpers/gateway";
import { fakeUpstream, resetUpstreams } from "../helpers/upstream";
import { answer, failing, msgs, rowsOf } from "./helpers";

afterEach(resetUpstreams);

describe('model: "a,b" (LiteLLM\'s batch completion)', () => {
  it("answers a list, one completion per model in order, each with its own spend row", async () => {
    fakeUpstream("https://dropin-a.test/v1", () => answer("from-a", "id-a"));
    fakeUpstream("https://dropin-b.test/v1", () => answer("from-b", "id-b"));
    const k = await newKey();
    const { data, response } = await openai(k.key).chat.completions.create({ model: "dropin-a, dropin-b", messages: msgs }).withResponse();
    const list = data as unknown as Array<{ id: string; choices: Array<{ message: { content: string } }> }>;
    expect(Array.isArray(list)).toBe(true);
    expect(list.map((c) => c.choices[0]!.message.content)).toEqual(["from-a", "from-b"]);
    const id = response.headers.get("x-request-id")!;
    const rows = await eventually(async () => {
      const r = await rowsOf(k.token);
      return r.length === 2 ? r : undefined;
    });
    expect(rows.map((r) => `${r.request_id} ${r.model_group}`).sort()).toEqual([`${id}-0 dropin-a`, `${id}-1 dropin-b`]);
  });

  it("puts a failing model's error in its place, and refuses streams and empty names", async () => {
    fakeUpstream("https://dropin-a.test/v1", () => answer("from-a"));
    fakeUpstream("https://dropin-b.test/v1", failing(400));
    const k = await newKey();
    const res = await post("/v1/chat/completions", { model: "dropin-a,dropin-b,no-such-model", messages: msgs }, k.key);
    expect(res.status).toBe(200);
    const list = (await res.json()) as Array<Record<string, any>>;
    expect(list).toHaveLength(3);
    expect(list[0]!.choices[0].message.content).toBe("from-a");
    expect(list[1]!.error).toMatchObject({ message: expect.stringContaining("fail 400") });
    expect(list[2]!.error.code).toBe("model_not_found");
    const streamed = await post("/v1/chat/completions", { model: "dropin-a,dropin-b", messages: msgs, stream: true }, k.key);
    expect(streamed.status).toBe(400);
    expect((await streamed.json()).error.param).toBe("stream");
    const fastest = await post("/v1/chat/completions", { model: "dropin-a,dropin-b", messages: msgs, fastest_response: true }, k.key);
    expect(fastest.status).toBe(400);
    expect((await fastest.json()).error.param).toBe("fastest_response");
    const empty = await post("/v1/chat/completions", { model: "dropin-a,", messages: msgs }, k.key);
    expect(empty.status).toBe(400);
    expect((await empty.json()).error.param).toBe("model");
  });
});
