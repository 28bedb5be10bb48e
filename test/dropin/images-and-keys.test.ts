import { afterEach, describe, expect, it } from "vitest";
import { eventually, gw, newKey, openai, post } from "../helpers/gateway";
import { fakeUpstream, json, resetUpstreams } from "../helpers/upstream";
import { rowsOf } from "./helpers";

afterEach(resetUpstreams);

const images = (n: number) => () => json({ created: 1, data: Array.from({ length: n }, (_, i) => ({ url: `https://img.test/${i}.png` })) });

describe("image generation is priced", () => {
  it("DALL·E 2 by size (no configured cost): the cost header and the spend row", async () => {
    fakeUpstream("https://dropin-img.test/v1/images/generations", images(2));
    const k = await newKey();
    const { response } = await openai(k.key).images.generate({ model: "dropin-dalle2", prompt: "a cat", n: 2, size: "512x512" }).withResponse();
    expect(Number(response.headers.get("x-litellm-response-cost"))).toBeCloseTo(0.036, 12);
    const row = await eventually(async () => (await rowsOf(k.token))[0]);
    expect(row.spend).toBeCloseTo(0.036, 12);
    expect(row.metadata.route).toBe("images/generations");
  });

  it("DALL·E 3 by size and quality, through an Azure deployment's base_model", async () => {
    fakeUpstream("https://dropin-img.openai.azure.test/openai/deployments/my-dalle/images/generations", images(1));
    const k = await newKey();
    const res = await post("/v1/images/generations", { model: "dropin-dalle3", prompt: "a cat", size: "1024x1792", quality: "hd" }, k.key);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get("x-litellm-response-cost"))).toBeCloseTo(0.12, 12);
  });
});

describe("/key/info", () => {
  it("a key that does not exist (never created, or deleted) is a 404 in the error shape", async () => {
    const k = await newKey();
    expect((await post("/key/delete", { keys: [k.key] })).status).toBe(200);
    for (const asked of [k.token, "sk-never-created-0000"]) {
      const res = await gw(`/key/info?key=${asked}`);
      expect(res.status).toBe(404);
      expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", code: "key_not_found", param: "key" });
    }
  });
});
