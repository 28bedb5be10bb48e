// Property tests through the worker: no body sent to /v1/chat/completions, /v1/messages or
// /v1/responses gets a 5xx or an error that is not JSON. Bodies are valid requests with any node
// replaced by an arbitrary JSON value, arbitrary JSON, and text that is not JSON at all. The
// upstream is faked: a valid request gets an answer (streamed when asked).
import fc from "fast-check";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { gw } from "../helpers/gateway";
import { fakeUpstream, json, resetUpstreams, sse } from "../helpers/upstream";
import { payloads, RUNS, smallJson } from "./arbitraries";

const completion = {
  id: "c",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
};
const response = {
  id: "resp_1",
  object: "response",
  created_at: 1,
  status: "completed",
  model: "gpt-4o-mini",
  output: [{ type: "message", id: "msg_1", status: "completed", role: "assistant", content: [{ type: "output_text", text: "ok", annotations: [] }] }],
  usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
};
const chunk = (delta: object, finish: string | null = null) => ({ id: "c", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, delta, finish_reason: finish }] });

beforeEach(() => {
  resetUpstreams();
  fakeUpstream("https://api.openai.test", (req, body) => {
    let stream = false;
    try {
      stream = (JSON.parse(body) as { stream?: unknown }).stream === true;
    } catch {
      /* not JSON: answer as for a plain call */
    }
    if (new URL(req.url).pathname.endsWith("/responses")) {
      // OpenAI serves the Responses API natively: the gateway passes such calls through.
      if (!stream) return json(response);
      const events = [
        `event: response.created\ndata: ${JSON.stringify({ type: "response.created", response: { ...response, status: "in_progress", output: [] } })}\n\n`,
        `event: response.completed\ndata: ${JSON.stringify({ type: "response.completed", response })}\n\n`,
      ];
      return new Response(events.join(""), { headers: { "content-type": "text/event-stream" } });
    }
    if (!stream) return json(completion);
    const text = sse([chunk({ role: "assistant", content: "" }), chunk({ content: "ok" }), chunk({}, "stop"), { ...chunk({}), choices: [], usage: completion.usage }]);
    return new Response(text, { headers: { "content-type": "text/event-stream" } });
  });
});
// Spend events of the calls land through the queue consumer: let them, before storage is reset.
afterAll(() => new Promise((r) => setTimeout(r, 500)));

const chat = {
  model: "gpt-4o-mini",
  messages: [
    { role: "system", content: "Be brief." },
    {
      role: "user",
      content: [
        { type: "text", text: "Hi" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
      ],
    },
    { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{}" } }] },
    { role: "tool", tool_call_id: "t1", content: "42" },
  ],
  tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: { a: { type: "string" } } } } }],
  tool_choice: "auto",
  max_tokens: 16,
  temperature: 0.5,
  stream: false,
  stream_options: { include_usage: true },
  response_format: { type: "json_object" },
  metadata: { tags: ["a"] },
  user: "u",
};
const messages = {
  model: "gpt-4o-mini",
  max_tokens: 16,
  system: [{ type: "text", text: "Be brief." }],
  messages: [
    { role: "user", content: [{ type: "text", text: "Hi" }] },
    { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: {} }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "42" }] },
  ],
  tools: [{ name: "f", input_schema: { type: "object", properties: {} } }],
  tool_choice: { type: "auto" },
  stream: false,
  thinking: { type: "disabled" },
};
const responses = {
  model: "gpt-4o-mini",
  input: [
    { role: "user", content: [{ type: "input_text", text: "Hi" }] },
    { type: "function_call_output", call_id: "t1", output: "42" },
  ],
  instructions: "Be brief.",
  tools: [{ type: "function", name: "f", parameters: { type: "object", properties: {} } }],
  max_output_tokens: 16,
  stream: false,
  text: { format: { type: "text" } },
};

/** A body: a valid request (streamed or not) with a node replaced, arbitrary JSON, or not JSON at all. */
function bodies(valid: Record<string, unknown>): fc.Arbitrary<string> {
  const shaped = payloads([valid, { ...valid, stream: true }]).map((b) => JSON.stringify(b) ?? "null");
  const text = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.constantFrom("", "{", "[]", "null", '{"model":', "\u0000", '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"' + "x".repeat(50) + '"}]'),
  );
  return fc.oneof({ weight: 6, arbitrary: shaped }, { weight: 1, arbitrary: smallJson.map((v) => JSON.stringify(v) ?? "null") }, { weight: 1, arbitrary: text });
}

async function expectNo5xx(path: string, body: string): Promise<void> {
  const res = await gw(path, { method: "POST", body, headers: { "content-type": "application/json" } });
  const text = await res.text();
  expect(res.status, `${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) expect(() => JSON.parse(text), text.slice(0, 300)).not.toThrow();
}

describe("fuzz: request bodies through the worker never give a 5xx or a non-JSON error", () => {
  it("the bodies the fuzzing starts from are answered (streamed and not), so the cases reach the whole call path", async () => {
    for (const [path, body] of [
      ["/v1/chat/completions", chat],
      ["/v1/messages", messages],
      ["/v1/responses", responses],
    ] as const) {
      for (const stream of [false, true]) {
        const res = await gw(path, { method: "POST", body: JSON.stringify({ ...body, stream }) });
        expect(res.status, `${path} stream=${stream}: ${await res.clone().text()}`).toBe(200);
        await res.text();
      }
    }
  });

  it("/v1/chat/completions", async () => {
    await fc.assert(
      fc.asyncProperty(bodies(chat), (b) => expectNo5xx("/v1/chat/completions", b)),
      { numRuns: RUNS },
    );
  });
  it("/v1/messages", async () => {
    await fc.assert(
      fc.asyncProperty(bodies(messages), (b) => expectNo5xx("/v1/messages", b)),
      { numRuns: RUNS },
    );
  });
  it("/v1/responses", async () => {
    await fc.assert(
      fc.asyncProperty(bodies(responses), (b) => expectNo5xx("/v1/responses", b)),
      { numRuns: RUNS },
    );
  });
});
