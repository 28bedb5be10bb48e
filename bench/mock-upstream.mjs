// A mock OpenAI-format upstream on loopback: /v1/chat/completions answers JSON with usage, or an
// SSE stream of 8 chunks (role, 5 content pieces, finish, usage) and [DONE] when stream is true.
import http from "node:http";

const completion = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1,
  model: "bench-upstream",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello from the benchmark upstream." }, finish_reason: "stop", logprobs: null }],
  usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
});

const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1, model: "bench-upstream", choices: [{ index: 0, delta, finish_reason: finish }], usage: null })}\n\n`;
const streamChunks = [
  chunk({ role: "assistant", content: "" }),
  ...["Hello", " from", " the", " benchmark", " upstream."].map((c) => chunk({ content: c })),
  chunk({}, "stop"),
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1, model: "bench-upstream", choices: [], usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 } })}\n\n`,
  "data: [DONE]\n\n",
];

// Anthropic's Messages API: the same answer as Anthropic streams it (message_start, a text block
// in 5 deltas, message_delta with usage, message_stop), or as one message.
const aEvent = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const anthropicChunks = [
  aEvent("message_start", {
    message: { id: "msg_bench", type: "message", role: "assistant", model: "claude-bench", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } },
  }),
  aEvent("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
  ...["Hello", " from", " the", " benchmark", " upstream."].map((t) => aEvent("content_block_delta", { index: 0, delta: { type: "text_delta", text: t } })),
  aEvent("content_block_stop", { index: 0 }),
  aEvent("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 8 } }),
  aEvent("message_stop", {}),
];
const anthropicMessage = JSON.stringify({
  id: "msg_bench",
  type: "message",
  role: "assistant",
  model: "claude-bench",
  content: [{ type: "text", text: "Hello from the benchmark upstream." }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 8 },
});

/** Starts the mock; resolves with its port. */
export function startMock(port = 0) {
  const server = http.createServer((req, res) => {
    const parts = [];
    req.on("data", (c) => parts.push(c));
    req.on("end", () => {
      const body = Buffer.concat(parts).toString();
      const anthropic = req.url.endsWith("/messages");
      if (body.includes('"stream":true')) {
        const chunks = anthropic ? anthropicChunks : streamChunks;
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        // Each chunk is its own write (and its own network chunk), as a real upstream sends them.
        let i = 0;
        const next = () => {
          if (i < chunks.length) {
            res.write(chunks[i++]);
            setImmediate(next);
          } else res.end();
        };
        next();
      } else {
        const answer = anthropic ? anthropicMessage : completion;
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(answer) });
        res.end(answer);
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve({ port: server.address().port, close: () => server.close() })));
}
