#!/usr/bin/env node
// Builds the admin UI (ui/) into ui/dist when the output is missing or older than any of its
// inputs. wrangler refuses a missing [assets] directory, so `npm run dev|test|build|bench` run
// this first. ui/dist holds only ui/ (served at /ui/) and _headers (the UI's security headers).
import { existsSync, readdirSync, statSync, writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./env.mjs";
import { ensurePrices } from "./prices-slim.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "ui", "dist");
const headersJson = path.join(root, "src", "http", "ui-security-headers.json");
const inputs = [path.join(root, "ui"), headersJson, path.join(root, "package-lock.json"), fileURLToPath(import.meta.url)];

/** The newest modification time under `p` (ui/dist and node_modules left out). */
function newest(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const name of readdirSync(p)) {
    if (name === "dist" || name === "node_modules") continue;
    t = Math.max(t, newest(path.join(p, name)));
  }
  return t;
}

/** Builds the UI unless ui/dist is current; resolves with an exit code. */
export async function ensureUi({ force = false } = {}) {
  const marker = path.join(out, "_headers");
  const index = path.join(out, "ui", "index.html");
  if (!force && existsSync(marker) && existsSync(index)) {
    const built = Math.min(statSync(marker).mtimeMs, statSync(index).mtimeMs);
    if (Math.max(...inputs.map(newest)) <= built) return 0;
  }
  console.log("Building the admin UI (ui/ -> ui/dist/ui) ...");
  const code = await run("vite", ["build", "--config", "ui/vite.config.ts", "--logLevel", "warn"]);
  if (code !== 0) return code;
  // Workers Static Assets applies _headers to the files it serves itself; the Worker sets the
  // same headers on the single-page fallback (src/routes/ui.ts), from the same JSON.
  const headers = JSON.parse(readFileSync(headersJson, "utf8"));
  const lines = Object.entries(headers).map(([k, v]) => `  ${k}: ${v}`);
  writeFileSync(marker, ["/ui/*", ...lines, "", "/ui/assets/*", "  cache-control: public, max-age=31536000, immutable", ""].join("\n"));
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Every npm script that bundles the Worker runs this first: the slim price table too (wrangler.toml [alias]).
  const prices = ensurePrices();
  if (prices !== 0) process.exit(prices);
  process.exit(await ensureUi({ force: process.argv.includes("--force") }));
}
