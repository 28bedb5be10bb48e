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

/** Starts the mock; resolves with its port. */
export function startMock(port = 0) {
  const server = http.createServer((req, res) => {
    const parts = [];
    req.on("data", (c) => parts.push(c));
    req.on("end", () => {
      const body = Buffer.concat(parts).toString();
      if (body.includes('"stream":true')) {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        // Each chunk is its own write (and its own network chunk), as a real upstream sends them.
        let i = 0;
        const next = () => {
          if (i < streamChunks.length) {
            res.write(streamChunks[i++]);
            setImmediate(next);
          } else res.end();
        };
        next();
      } else {
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(completion) });
        res.end(completion);
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve({ port: server.address().port, close: () => server.close() })));
}
