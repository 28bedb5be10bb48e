/// <reference types="vite/client" />
// Property tests: every stream translator, fed arbitrary upstream bytes (recorded events, mutated
// events, garbage, all cut at arbitrary points), ends its stream without throwing out of it, calls
// its end hook exactly once, and never fails with anything but a GatewayError of its own (a
// TypeError inside a translator shows as "The upstream stream failed: ..." and fails the property).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Deployment } from "../../src/config/deployment";
import { anthropicStreamError } from "../../src/formats/anthropic/errors";
import { nativeStreamTranslator as anthropicNative } from "../../src/formats/anthropic/native";
import { anthropicStreamTranslator } from "../../src/formats/anthropic/stream";
import { nativeStreamTranslator as responsesNative } from "../../src/formats/responses/native";
import { parseResponsesRequest } from "../../src/formats/responses/schema";
import { responsesStream } from "../../src/formats/responses/stream";
import { sseError, translateStream, type StreamOutcome, type StreamTranslator } from "../../src/http/sse";
import { providerFor } from "../../src/providers/registry";
import type { AdapterContext, StreamSink } from "../../src/providers/types";
import anthropicJsonTool from "../fixtures/anthropic/json-tool.chunks.txt?raw";
import anthropicThinking from "../fixtures/anthropic/thinking.chunks.txt?raw";
import azureFilter from "../fixtures/azure/content-filter.chunks.txt?raw";
import azureTool from "../fixtures/azure/tool-call.chunks.txt?raw";
import bedrockReasoning from "../fixtures/bedrock/reasoning.chunks.txt?raw";
import bedrockTools from "../fixtures/bedrock/parallel-tools.chunks.txt?raw";
import cohereError from "../fixtures/cohere/error-finish.chunks.txt?raw";
import cohereThinking from "../fixtures/cohere/thinking.chunks.txt?raw";
import geminiError from "../fixtures/gemini/stream-error.chunks.txt?raw";
import geminiThinking from "../fixtures/gemini/thinking.chunks.txt?raw";
import anthropicText from "../fixtures/recorded/anthropic/tool-use.chunks.txt?raw";
import bedrockText from "../fixtures/recorded/bedrock/tool-call.chunks.txt?raw";
import cohereTool from "../fixtures/recorded/cohere/tool-call.chunks.txt?raw";
import geminiTool from "../fixtures/recorded/google/tool-call.chunks.txt?raw";
import workersText from "../fixtures/workers-ai/text.chunks.txt?raw";
import workersTool from "../fixtures/workers-ai/tool-call.chunks.txt?raw";
import { eventFrame, exceptionFrame } from "../providers/bedrock-helpers";
import { bodyOf, dataPayloads, lines, payloads, readAll, recut, RUNS, sseText } from "./arbitraries";

const ctx = (includeUsage: boolean): AdapterContext => ({ requestId: "fuzz-1", created: 1700000000, includeUsage, dropParams: false });
const dep = (provider: string, model: string): Deployment => ({ id: `fuzz-${provider}`, modelName: "fuzz", provider, model, apiKey: "k", params: {}, costs: {} });

const CRASH = "The upstream stream failed:";

interface Ended {
  text: string;
  outcomes: StreamOutcome[];
}

/** Runs a provider adapter's stream over `parts`. */
async function runProvider(provider: string, model: string, parts: Uint8Array[], includeUsage: boolean): Promise<Ended> {
  const outcomes: StreamOutcome[] = [];
  const sink: StreamSink = { usage: () => {}, produced: () => {}, end: (o) => outcomes.push(o) };
  const stream = providerFor(provider)!.chat.stream(bodyOf(parts), dep(provider, model), ctx(includeUsage), sink);
  return { text: await readAll(stream), outcomes };
}

/** Runs a bare translator through translateStream, as the routes do. */
async function runTranslator(t: StreamTranslator, parts: Uint8Array[], formatError = sseError): Promise<Ended> {
  const outcomes: StreamOutcome[] = [];
  const text = await readAll(translateStream(bodyOf(parts), t, (o) => outcomes.push(o), formatError));
  return { text, outcomes };
}

function expectWellEnded(run: Ended, jsonPayloads: boolean): void {
  expect(run.outcomes).toHaveLength(1);
  expect(["complete", "error"]).toContain(run.outcomes[0]);
  expect(run.text).not.toContain(CRASH);
  if (!jsonPayloads) return;
  for (const data of dataPayloads(run.text)) expect(() => JSON.parse(data), data).not.toThrow();
}

/**
 * `passthrough`: the OpenAI-compatible family forwards the upstream's events as they came (only a
 * usage chunk is parsed), by design (no per-event JSON work on the hot path), so an upstream's
 * non-JSON `data:` line reaches the client as it was sent; the stream still ends properly.
 */
const SSE_PROVIDERS: Array<{ provider: string; model: string; recorded: unknown[]; named: boolean; passthrough?: boolean }> = [
  { provider: "anthropic", model: "claude-sonnet-4-5", recorded: lines(anthropicText, anthropicThinking, anthropicJsonTool), named: true },
  { provider: "gemini", model: "gemini-2.5-flash", recorded: lines(geminiTool, geminiThinking, geminiError), named: false },
  { provider: "vertex_ai", model: "gemini-2.5-flash", recorded: lines(geminiTool, geminiThinking), named: false },
  { provider: "cohere", model: "command-a-03-2025", recorded: lines(cohereTool, cohereThinking, cohereError), named: true },
  { passthrough: true, provider: "azure", model: "gpt-4o", recorded: lines(azureTool, azureFilter), named: false },
  { passthrough: true, provider: "workers_ai", model: "@cf/meta/llama-3.1-8b-instruct", recorded: lines(workersText, workersTool), named: false },
  { passthrough: true, provider: "openai", model: "gpt-4o", recorded: lines(azureTool, workersText, workersTool), named: false },
];

describe("fuzz: provider stream translators end, whatever the upstream sends", () => {
  for (const p of SSE_PROVIDERS) {
    it(`${p.provider}`, async () => {
      await fc.assert(
        fc.asyncProperty(recut(sseText(payloads(p.recorded), p.named)), fc.boolean(), async (parts, includeUsage) => {
          expectWellEnded(await runProvider(p.provider, p.model, parts, includeUsage), !p.passthrough);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("bedrock (AWS eventstream frames)", async () => {
    const recorded = lines(bedrockText, bedrockReasoning, bedrockTools) as Array<Record<string, unknown>>;
    const typed = recorded.map((r) => Object.entries(r)[0]!);
    const frame = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...typed.map(([t]) => t)), payloads(typed.map(([, v]) => v))).map(([t, v]) => eventFrame(t, v)) },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.constantFrom("throttlingException", "validationException", "modelStreamErrorException"), payloads([{ message: "boom" }])).map(([t, v]) => exceptionFrame(t, v)),
      },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }) },
    );
    await fc.assert(
      fc.asyncProperty(recut(frame, 10), fc.boolean(), async (parts, includeUsage) => {
        expectWellEnded(await runProvider("bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0", parts, includeUsage), true);
      }),
      { numRuns: RUNS },
    );
  });
});

/** OpenAI chunks as an adapter's stream gives them to the client-format writers. */
const openaiChunks = payloads([
  ...lines(workersText, workersTool, azureTool),
  { error: { message: "upstream failed", type: "upstream_error", param: null, code: "upstream_error" } },
  { id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [], usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } },
]);

describe("fuzz: client-format stream writers end, whatever chunks they are given", () => {
  it("Anthropic messages writer", async () => {
    await fc.assert(
      fc.asyncProperty(recut(sseText(openaiChunks, false)), async (parts) => {
        const t = anthropicStreamTranslator({ requestId: "fuzz-1", model: "m", inputEstimate: 3, usage: () => null, stopSequences: ["STOP"] });
        expectWellEnded(await runTranslator(t, parts, anthropicStreamError), true);
      }),
      { numRuns: RUNS },
    );
  });

  it("Responses writer", async () => {
    const req = parseResponsesRequest({ model: "m", input: "hi", stream: true });
    await fc.assert(
      fc.asyncProperty(recut(sseText(openaiChunks, false)), async (parts) => {
        const bridge = responsesStream({ requestId: "fuzz-1", created: 1700000000, req }, () => null);
        expectWellEnded(await runTranslator(bridge.translator, parts, bridge.formatError), true);
      }),
      { numRuns: RUNS },
    );
  });

  it("native Anthropic and Responses pass-through (bytes forwarded as they came)", async () => {
    const native = payloads([...lines(anthropicText), { type: "response.completed", response: { usage: { input_tokens: 1, output_tokens: 2 } } }]);
    await fc.assert(
      fc.asyncProperty(recut(sseText(native, true)), async (parts) => {
        expectWellEnded(await runTranslator(anthropicNative({ usage: () => {}, failed: () => {} }), parts, anthropicStreamError), false);
        expectWellEnded(await runTranslator(responsesNative({ usage: () => {}, failed: () => {} }), parts), false);
      }),
      { numRuns: RUNS },
    );
  });
});
