import { afterEach, describe, expect, it } from "vitest";
import { parseChatRequest } from "../../src/api/chat";
import { GatewayError } from "../../src/http/errors";
import { geminiChat } from "../../src/providers/gemini";
import { vertexChat } from "../../src/providers/vertex";
import { withEnv } from "../helpers/gateway";
import { resetUpstreams } from "../helpers/upstream";
import { adapterCtx, geminiDep, user } from "../providers/gemini-helpers";

afterEach(resetUpstreams);

const image = (url: string) => ({ type: "image_url", image_url: { url } });
const file = (file_id: string) => ({ type: "file", file: { file_id } });
const req = (content: unknown[]) => parseChatRequest({ model: "g", messages: [user([{ type: "text", text: "look" }, ...content])] });

async function refusal(p: unknown): Promise<GatewayError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

const vertexDep = (params: Record<string, unknown> = {}) => ({ ...geminiDep("gemini-2.5-flash"), provider: "vertex_ai", params: { api_key: "k", ...params } });

describe("gs:// URIs reach Google only for buckets the deployment allows", () => {
  it("vertex: a gs:// image is a 400 naming the part when the deployment lists no buckets", async () => {
    const e = await refusal(vertexChat.request(req([image("gs://project-secrets/db.png")]), vertexDep(), adapterCtx()));
    expect(e.status).toBe(400);
    expect(e.param).toBe("messages[0].content[1].image_url.url");
    expect(e.message).toContain("allowed_gcs_buckets");
  });

  it("gemini: a gs:// file_id is refused the same way", async () => {
    const e = await refusal(geminiChat.request(req([file("gs://project-secrets/a.pdf")]), geminiDep(), adapterCtx()));
    expect(e.status).toBe(400);
    expect(e.param).toBe("messages[0].content[1].file.file_id");
  });

  it("a listed bucket passes as fileData; another bucket, or a look-alike, does not", async () => {
    const dep = vertexDep({ allowed_gcs_buckets: ["public-media"] });
    const ok = await Promise.resolve(vertexChat.request(req([image("gs://public-media/cat.png")]), dep, adapterCtx()));
    const body = (await ok.json()) as { contents: Array<{ parts: unknown[] }> };
    expect(body.contents[0]!.parts[1]).toEqual({ fileData: { mimeType: "image/png", fileUri: "gs://public-media/cat.png" } });
    for (const url of ["gs://other/cat.png", "gs://public-media-evil/cat.png", "gs://public-media.evil/cat.png", "gs://PUBLIC-MEDIA/x.png", "gs:///public-media/x.png"]) {
      const e = await refusal(vertexChat.request(req([image(url)]), dep, adapterCtx()));
      expect(e.status).toBe(400);
    }
  });

  it("through the gateway: a key's gs:// image is a 400 and Google is never called", async () => {
    const config = `
model_list:
  - model_name: vx
    litellm_params: {model: vertex_ai/gemini-2.5-flash, api_key: k, api_base: https://vertex.test}
`;
    const res = await withEnv({ GATEWAY_CONFIG: config }, "/v1/chat/completions", {
      method: "POST",
      body: JSON.stringify({ model: "vx", messages: [{ role: "user", content: [image("gs://project-secrets/db.png")] }] }),
    });
    expect(res.status).toBe(400);
    const b = await res.json<{ error: { param: string; type: string } }>();
    expect(b.error).toMatchObject({ type: "invalid_request_error", param: "messages[0].content[0].image_url.url" });
  });

  it("allowed_gcs_buckets must be a list of bucket names", async () => {
    const config = `
model_list:
  - model_name: vx
    litellm_params: {model: vertex_ai/gemini-2.5-flash, api_key: k, allowed_gcs_buckets: "gs://x"}
`;
    const res = await withEnv({ GATEWAY_CONFIG: config }, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "vx", messages: [{ role: "user", content: "x" }] }) });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("allowed_gcs_buckets");
  });
});
