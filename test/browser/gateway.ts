// Starts what the browser tests drive: a mock upstream on 127.0.0.1 and the gateway itself
// through `npm run dev`'s script (scripts/dev.mjs: UI build, migrations, wrangler dev) on a free
// port, with its own state directory and a config pointing at the mock.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface MockUpstream {
  url: string;
  calls: Array<{ path: string; body: Record<string, unknown>; authorization: string | undefined }>;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let s = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (s += d));
    req.on("end", () => resolve(s));
    req.on("error", reject);
  });

/** An OpenAI-style upstream: chat completions, plain or streamed (three text chunks, then usage). */
export async function startMockUpstream(): Promise<MockUpstream> {
  const calls: MockUpstream["calls"] = [];
  const server: Server = createServer(async (req, res) => {
    const text = await readBody(req);
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "mock: no such route" } }));
      return;
    }
    const body = JSON.parse(text) as { model: string; stream?: boolean; stream_options?: { include_usage?: boolean } };
    calls.push({ path: req.url, body, authorization: req.headers.authorization });
    // The "refused-model" deployment's upstream key is refused: a failed call (and a cooldown) to see in the UI.
    if (req.headers.authorization === "Bearer sk-mock-refused") {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "mock: this upstream key is refused", type: "invalid_request_error" } }));
      return;
    }
    const base = { id: `chatcmpl-mock-${calls.length}`, created: Math.floor(Date.now() / 1000), model: body.model };
    const usage = { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 };
    if (!body.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ...base, object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "Hello from the mock." }, finish_reason: "stop" }], usage }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] });
    send(chunk({ role: "assistant", content: "" }));
    for (const part of ["Hello", " from", " the mock, streamed."]) {
      send(chunk({ content: part }));
      await new Promise((r) => setTimeout(r, 30));
    }
    send(chunk({}, "stop"));
    if (body.stream_options?.include_usage) send({ ...base, object: "chat.completion.chunk", choices: [], usage });
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls, close: () => new Promise((r) => server.close(() => r())) };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

export interface Gateway {
  url: string;
  masterKey: string;
  logs(): string;
  stop(): Promise<void>;
}

/** Runs scripts/dev.mjs (what `npm run dev` runs) against the mock; resolves once it answers. */
export async function startGateway(upstreamUrl: string): Promise<Gateway> {
  const port = await freePort();
  const state = mkdtempSync(path.join(tmpdir(), "switchyard-ui-"));
  const masterKey = "sk-browser-test-master";
  const config = {
    model_list: [
      {
        model_name: "mock-model",
        litellm_params: {
          model: "openai/mock-model",
          api_base: `${upstreamUrl}/v1`,
          api_key: "sk-mock-upstream",
          input_cost_per_token: 0.000001,
          output_cost_per_token: 0.000002,
        },
        model_info: { id: "mock-1" },
      },
      {
        model_name: "refused-model",
        litellm_params: { model: "openai/mock-refused", api_base: `${upstreamUrl}/v1`, api_key: "sk-mock-refused" },
        model_info: { id: "refused-1" },
      },
    ],
  };
  const vars = {
    MASTER_KEY: masterKey,
    GATEWAY_CONFIG: JSON.stringify(config),
    SWITCHYARD_SALT_KEY: "browser-test-salt-key",
    UI_USERNAME: "ops",
    UI_PASSWORD: "browser-test-password",
  };
  const args = [path.join(ROOT, "scripts", "dev.mjs"), "--persist-to", state, "--log-level", "warn"];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  let output = "";
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), BROWSER: "none" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  let exited = false;
  child.on("exit", () => (exited = true));

  const stop = async () => {
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const until = Date.now() + 10_000;
      while (!exited && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      if (!exited) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    rmSync(state, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 150_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`npm run dev exited before answering:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/health/readiness`);
      if (res.status === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`npm run dev did not answer within 150 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, masterKey, logs: () => output, stop };
}
