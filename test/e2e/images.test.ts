import { afterEach, describe, expect, it } from "vitest";
import { openai, post } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

afterEach(resetUpstreams);

describe("images/generations", () => {
  it("generates through the official client, priced per image", async () => {
    fakeUpstream("https://images.openai.test/v1/images/generations", () => json({ created: 1, data: [{ url: "https://img.test/1.png" }, { url: "https://img.test/2.png" }] }));
    const { data, response } = await openai().images.generate({ model: "dall-e", prompt: "a lighthouse", n: 2, size: "1024x1024" }).withResponse();
    expect(data.data).toHaveLength(2);
    expect(Number(response.headers.get("x-gateway-cost"))).toBeCloseTo(0.08, 12);
    expect(received[0]!.json()).toMatchObject({ model: "dall-e-3", prompt: "a lighthouse", n: 2 });
  });

  it("prices a gpt-image answer by its token usage, and serves Azure's deployment path", async () => {
    fakeUpstream("https://myres.openai.azure.test/openai/deployments/my-image-deployment/images/generations", () =>
      json({ created: 1, data: [{ b64_json: "aGk=" }], usage: { input_tokens: 10, output_tokens: 1000, total_tokens: 1010 } }),
    );
    const res = await post("/openai/deployments/azure-image/images/generations", { prompt: "a cat" });
    expect(res.status).toBe(200);
    expect(received[0]!.url).toBe("https://myres.openai.azure.test/openai/deployments/my-image-deployment/images/generations?api-version=2024-10-21");
    expect(received[0]!.headers["api-key"]).toBe("azure-test-key-0123456789");
  });

  it("refuses a missing prompt and a provider without the API", async () => {
    const bad = await post("/v1/images/generations", { model: "dall-e" });
    expect((await bad.json()).error.param).toBe("prompt");
    const wrong = await post("/v1/images/generations", { model: "cohere-chat", prompt: "x" });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.message).toContain("image generation");
  });
});
