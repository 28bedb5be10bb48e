import { afterEach, describe, expect, it } from "vitest";
import { geminiChat } from "../../src/providers/gemini";
import { signatureOf } from "../../src/providers/gemini/ids";
import { geminiBody } from "../../src/providers/gemini/request";
import { geminiSchema } from "../../src/providers/gemini/schema";
import { parseChatRequest } from "../../src/api/chat";
import { fakeUpstream, received, resetUpstreams } from "../helpers/upstream";
import { adapterCtx, body, GEMINI_KEY, geminiDep, refusal, user } from "./gemini-helpers";

afterEach(resetUpstreams);

const weather = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      additionalProperties: false,
      properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
      required: ["city"],
    },
  },
};

describe("gemini request: URL, headers, messages", () => {
  it("posts generateContent to {api_base}/v1beta/models/{model} with the key in x-goog-api-key, never in the URL", async () => {
    const r = await geminiChat.request(parseChatRequest({ model: "g", messages: [user("Hi")] }), geminiDep("gemini-2.5-flash", { apiBase: "https://gemini.test/" }), adapterCtx());
    expect(r.url).toBe("https://gemini.test/v1beta/models/gemini-2.5-flash:generateContent");
    expect(r.headers.get("x-goog-api-key")).toBe(GEMINI_KEY);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.url).not.toContain(GEMINI_KEY);
    expect(await r.json()).toEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
  });

  it("streams through streamGenerateContent?alt=sse on the default host; models/ prefixes and versioned bases are kept as meant", async () => {
    const r = await geminiChat.request(parseChatRequest({ model: "g", messages: [user("Hi")], stream: true }), geminiDep("models/gemini-3-pro-preview"), adapterCtx());
    expect(r.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse");
    const v1 = await geminiChat.request(parseChatRequest({ model: "g", messages: [user("Hi")] }), geminiDep("gemini-2.5-flash", { apiBase: "https://proxy.test/google/v1" }), adapterCtx());
    expect(v1.url).toBe("https://proxy.test/google/v1/models/gemini-2.5-flash:generateContent");
  });

  it("lifts system and developer messages into systemInstruction, maps roles to user/model and merges turns", async () => {
    const b = await body({
      messages: [
        { role: "system", content: "Be terse." },
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
        user("Hello"),
        user([{ type: "text", text: "Still there?" }]),
        { role: "assistant", content: "Oui." },
        user("Merci"),
      ],
    });
    expect(b.systemInstruction).toEqual({ parts: [{ text: "Be terse." }, { text: "Answer in French." }] });
    expect(b.contents).toEqual([
      { role: "user", parts: [{ text: "Hello" }, { text: "Still there?" }] },
      { role: "model", parts: [{ text: "Oui." }] },
      { role: "user", parts: [{ text: "Merci" }] },
    ]);
  });

  it("sends a tool round trip: functionCall parts (with the id's thought signature), functionResponse parts named from the call", async () => {
    const b = await body(
      {
        tools: [weather],
        messages: [
          user("Weather in Paris and Tokyo?"),
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_A__thought__c2lnLUE=", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
              { id: "call_B", type: "function", function: { name: "get_weather", arguments: '{"city":"Tokyo"}' } },
            ],
          },
          { role: "tool", tool_call_id: "call_A__thought__c2lnLUE=", content: '{"temp":21}' },
          { role: "tool", tool_call_id: "call_B", content: "rainy, 14C" },
        ],
      },
      "gemini-3-flash-preview",
    );
    expect(b.contents).toEqual([
      { role: "user", parts: [{ text: "Weather in Paris and Tokyo?" }] },
      {
        role: "model",
        parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "c2lnLUE=" }, { functionCall: { name: "get_weather", args: { city: "Tokyo" } } }],
      },
      {
        role: "user",
        parts: [{ functionResponse: { name: "get_weather", response: { temp: 21 } } }, { functionResponse: { name: "get_weather", response: { content: "rainy, 14C" } } }],
      },
    ]);
  });

  it("marks a Gemini 3 function call that lost its signature with Google's skip placeholder (only the first of a turn); 2.5 gets none", async () => {
    const messages = [
      user("q"),
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "x1", type: "function", function: { name: "get_weather", arguments: "{}" } },
          { id: "x2", type: "function", function: { name: "get_weather", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "x1", content: "a" },
      { role: "tool", tool_call_id: "x2", content: "b" },
    ];
    const g3 = await body({ tools: [weather], messages }, "gemini-3-pro-preview");
    expect(g3.contents[1].parts.map((p: { thoughtSignature?: string }) => p.thoughtSignature)).toEqual(["skip_thought_signature_validator", undefined]);
    const g25 = await body({ tools: [weather], messages }, "gemini-2.5-pro");
    expect(g25.contents[1].parts.every((p: { thoughtSignature?: string }) => p.thoughtSignature === undefined)).toBe(true);
    expect(signatureOf("call_x__thought__abc")).toBe("abc");
    expect(signatureOf("call_x")).toBeUndefined();
  });

  it("refuses a tool message whose call no assistant message made (400 naming it), and malformed arguments", async () => {
    const orphan = await refusal({ messages: [user("q"), { role: "tool", tool_call_id: "nope", content: "r" }] });
    expect(orphan).toMatchObject({ status: 400, param: "messages[1].tool_call_id" });
    const bad = await refusal({ messages: [user("q"), { role: "assistant", content: null, tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "{" } }] }] });
    expect(bad.param).toBe("messages[1].tool_calls[0].function.arguments");
    const systemOnly = await refusal({ messages: [{ role: "system", content: "x" }] });
    expect(systemOnly.param).toBe("messages");
    const image = await refusal({ messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AA==" } }] }, user("q")] });
    expect(image.param).toBe("messages[0].content[0]");
  });
});

describe("gemini request: images and files", () => {
  it("sends data: URLs as inlineData, gs:// as fileData, and fetches https images into inlineData", async () => {
    fakeUpstream("https://images.test/", () => new Response(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), { headers: { "content-type": "image/png" } }));
    const b = (await geminiBody(
      parseChatRequest({
        model: "gemini",
        messages: [
          user([
            { type: "text", text: "Compare" },
            { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } },
            { type: "image_url", image_url: { url: "gs://bucket/cat.webp" } },
            { type: "image_url", image_url: { url: "https://images.test/cat.png", detail: "high" } },
            { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } },
            { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
          ]),
        ],
      }),
      "gemini-2.5-flash",
      adapterCtx(),
      { gcsBuckets: new Set(["bucket"]) },
    )) as unknown as Record<string, any>;
    expect(b.contents[0].parts).toEqual([
      { text: "Compare" },
      { inlineData: { mimeType: "image/jpeg", data: "/9j/4AAQ" } },
      { fileData: { mimeType: "image/webp", fileUri: "gs://bucket/cat.webp" } },
      { inlineData: { mimeType: "image/png", data: "iVBORw==" } },
      { inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } },
      { inlineData: { mimeType: "audio/wav", data: "UklGRg==" } },
    ]);
    expect(received.map((r) => r.url)).toEqual(["https://images.test/cat.png"]);
  });

  it("refuses image URLs it may not fetch, naming the part: http, private hosts, redirects", async () => {
    fakeUpstream("https://redirect.test/", () => new Response(null, { status: 302, headers: { location: "https://elsewhere.test/" } }));
    const cases = ["http://images.test/a.png", "https://127.0.0.1/a.png", "https://10.0.0.7/a.png", "https://redirect.test/a.png", "data:image/png,notbase64"];
    for (const url of cases) {
      const e = await refusal({ messages: [user([{ type: "image_url", image_url: { url } }])] });
      expect(e).toMatchObject({ status: 400, param: "messages[0].content[0].image_url.url" });
    }
  });
});

describe("gemini request: tools, tool_choice and schemas", () => {
  it("sends tools as functionDeclarations with the schema cut to Gemini's Schema object", async () => {
    const b = await body({ messages: [user("q")], tools: [weather, { type: "function", function: { name: "now", parameters: { type: "object", properties: {} } } }] });
    expect(b.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: "get_weather",
            description: "Weather for a city",
            parameters: { type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } }, required: ["city"] },
          },
          { name: "now" },
        ],
      },
    ]);
    expect(b.toolConfig).toBeUndefined();
  });

  it("maps tool_choice: auto, none, required -> ANY, a named function -> ANY + allowedFunctionNames", async () => {
    const mode = async (tool_choice: unknown) => (await body({ messages: [user("q")], tools: [weather], tool_choice })).toolConfig;
    expect(await mode("auto")).toEqual({ functionCallingConfig: { mode: "AUTO" } });
    expect(await mode("none")).toEqual({ functionCallingConfig: { mode: "NONE" } });
    expect(await mode("required")).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(await mode({ type: "function", function: { name: "get_weather" } })).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } });
    expect((await refusal({ messages: [user("q")], tools: [weather], tool_choice: { type: "function", function: { name: "other" } } })).param).toBe("tool_choice.function.name");
    expect((await refusal({ messages: [user("q")], tool_choice: "required" })).param).toBe("tool_choice");
  });

  it("cleans JSON Schema: $ref/$defs inlined, const and type lists translated, unknown keywords and formats dropped", () => {
    const out = geminiSchema({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      $defs: {
        Tag: { type: "object", additionalProperties: false, properties: { name: { type: "string", minLength: 1 } }, required: ["name"] },
        Node: { type: "object", properties: { child: { $ref: "#/$defs/Node" } } },
      },
      properties: {
        tags: { type: "array", items: { $ref: "#/$defs/Tag" }, maxItems: 5 },
        note: { type: ["string", "null"], format: "email", description: "optional" },
        kind: { const: "fixed" },
        level: { type: "integer", enum: [1, 2, 3], format: "int32" },
        when: { type: "string", format: "date-time" },
        either: { anyOf: [{ type: "string" }, { type: "null" }] },
        multi: { oneOf: [{ type: "string" }, { type: "number" }] },
        tree: { $ref: "#/$defs/Node" },
        both: {
          allOf: [
            { type: "object", properties: { a: { type: "string" } } },
            { properties: { b: { type: "number" } }, required: ["b"] },
          ],
        },
      },
      required: ["tags", "missing"],
      additionalProperties: false,
      strict: true,
    });
    expect(out).toEqual({
      type: "object",
      properties: {
        tags: { type: "array", items: { type: "object", properties: { name: { type: "string", minLength: 1 } }, required: ["name"] }, maxItems: 5 },
        note: { type: "string", nullable: true, description: "optional" },
        kind: { type: "string", enum: ["fixed"] },
        level: { type: "integer", format: "int32" },
        when: { type: "string", format: "date-time" },
        either: { type: "string", nullable: true },
        multi: { anyOf: [{ type: "string" }, { type: "number" }] },
        tree: { type: "object", properties: { child: { type: "object" } } },
        both: { type: "object", properties: { a: { type: "string" }, b: { type: "number" } }, required: ["b"] },
      },
      required: ["tags"],
    });
  });

  it("refuses parallel_tool_calls: false and n > 1 when streaming, unless drop_params", async () => {
    expect((await refusal({ messages: [user("q")], tools: [weather], parallel_tool_calls: false })).param).toBe("parallel_tool_calls");
    expect((await refusal({ messages: [user("q")], n: 2, stream: true })).param).toBe("n");
    expect((await refusal({ messages: [user("q")], logprobs: true })).param).toBe("logprobs");
    const dropped = await body({ messages: [user("q")], tools: [weather], parallel_tool_calls: false, n: 2, stream: true, logprobs: true }, "gemini-2.5-flash", adapterCtx({ dropParams: true }));
    expect(dropped.generationConfig).toBeUndefined();
  });
});

describe("gemini request: generationConfig", () => {
  it("maps temperature, top_p, max tokens, stop, n, seed, penalties and top_k", async () => {
    const b = await body({
      messages: [user("q")],
      temperature: 1.5,
      top_p: 0.9,
      max_completion_tokens: 300,
      max_tokens: 99,
      stop: "END",
      n: 3,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      top_k: 40,
      user: "u-1",
    });
    expect(b.generationConfig).toEqual({
      temperature: 1.5,
      topP: 0.9,
      topK: 40,
      maxOutputTokens: 300,
      stopSequences: ["END"],
      candidateCount: 3,
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
    });
    expect(b).not.toHaveProperty("user");
  });

  it("maps response_format: json_object -> application/json; json_schema -> responseJsonSchema (2.5+) or a cleaned responseSchema (older)", async () => {
    const schema = { $schema: "x", type: "object", properties: { name: { type: "string" } }, additionalProperties: false, required: ["name"] };
    const rf = { type: "json_schema", json_schema: { name: "p", schema, strict: true } };
    expect((await body({ messages: [user("q")], response_format: { type: "json_object" } })).generationConfig).toEqual({ responseMimeType: "application/json" });
    expect((await body({ messages: [user("q")], response_format: rf })).generationConfig).toEqual({
      responseMimeType: "application/json",
      responseJsonSchema: { type: "object", properties: { name: { type: "string" } }, additionalProperties: false, required: ["name"] },
    });
    expect((await body({ messages: [user("q")], response_format: rf }, "gemini-2.0-flash")).generationConfig).toEqual({
      responseMimeType: "application/json",
      responseSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
    });
    expect((await refusal({ messages: [user("q")], response_format: { type: "json_schema", json_schema: { name: "p" } } })).param).toBe("response_format.json_schema.schema");
  });

  it("maps reasoning_effort to thinkingLevel on Gemini 3 and thinkingBudget on 2.5, with includeThoughts", async () => {
    const thinking = async (reasoning_effort: string, model: string, ctx = adapterCtx()) => (await body({ messages: [user("q")], reasoning_effort }, model, ctx)).generationConfig?.thinkingConfig;
    expect(await thinking("low", "gemini-3-pro-preview")).toEqual({ thinkingLevel: "low", includeThoughts: true });
    expect(await thinking("medium", "gemini-3-pro-preview")).toEqual({ thinkingLevel: "high", includeThoughts: true });
    expect(await thinking("medium", "gemini-3.1-pro-preview")).toEqual({ thinkingLevel: "medium", includeThoughts: true });
    expect(await thinking("minimal", "gemini-3-flash-preview")).toEqual({ thinkingLevel: "minimal", includeThoughts: true });
    expect(await thinking("none", "gemini-3-flash-preview")).toEqual({ thinkingLevel: "minimal" });
    expect(await thinking("high", "gemini-2.5-flash")).toEqual({ thinkingBudget: 24576, includeThoughts: true });
    expect(await thinking("xhigh", "gemini-2.5-flash")).toEqual({ thinkingBudget: 24576, includeThoughts: true });
    expect(await thinking("xhigh", "gemini-2.5-pro")).toEqual({ thinkingBudget: 32768, includeThoughts: true });
    expect(await thinking("low", "gemini-2.5-flash-lite")).toEqual({ thinkingBudget: 1024, includeThoughts: true });
    expect(await thinking("none", "gemini-2.5-flash")).toEqual({ thinkingBudget: 0 });
    expect((await refusal({ messages: [user("q")], reasoning_effort: "none" }, "gemini-2.5-pro")).param).toBe("reasoning_effort");
    expect((await refusal({ messages: [user("q")], reasoning_effort: "none" }, "gemini-3-pro-preview")).param).toBe("reasoning_effort");
    expect((await refusal({ messages: [user("q")], reasoning_effort: "high" }, "gemini-2.0-flash")).param).toBe("reasoning_effort");
    expect(await thinking("high", "gemini-2.0-flash", adapterCtx({ dropParams: true }))).toBeUndefined();
  });
});
