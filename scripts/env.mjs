#!/usr/bin/env node
// Runs a project tool (wrangler, vitest, ...) with Node 22 and with every network-reaching
// wrangler feature off: no metrics, no Cloudflare API calls, no update check.
// npm scripts put node_modules/.bin first on PATH, so `node` there is the pinned node@22.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  NO_UPDATE_NOTIFIER: "1",
  WRANGLER_HIDE_BANNER: "true",
  CI_DISABLE_UPDATE_CHECK: "1",
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(root, "node_modules", ".bin");

/** Runs `cmd args` from node_modules/.bin with the offline environment; resolves with its exit code. */
export function run(cmd, args, extraEnv = {}) {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 22) {
    console.error(`Node ${process.versions.node} is running this script; run it through npm (npm run ...) so the project's Node 22 is used.`);
    process.exit(1);
  }
  const env = { ...process.env, ...OFFLINE_ENV, ...extraEnv, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` };
  return new Promise((resolve) => {
    const child = spawn(path.join(bin, cmd), args, { stdio: "inherit", env, cwd: root });
    for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, ...args] = process.argv.slice(2);
  if (!cmd) {
    console.error("usage: node scripts/env.mjs <tool> [args...]");
    process.exit(2);
  }
  process.exit(await run(cmd, args));
}
