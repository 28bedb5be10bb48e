#!/usr/bin/env node
// `npm run dev`: a fully local gateway. Copies .dev.vars.example to .dev.vars when missing,
// applies the D1 migrations to the local database without a prompt, then runs wrangler dev
// on 127.0.0.1:$PORT (default 8787) with D1, Durable Objects and Queues emulated; the admin UI
// (ui/) is built first when it is missing or stale.
import { copyFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./env.mjs";
import { ensurePrices } from "./prices-slim.mjs";
import { ensureUi } from "./ui-build.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const vars = path.join(root, ".dev.vars");
if (!existsSync(vars)) {
  copyFileSync(path.join(root, ".dev.vars.example"), vars);
  console.log("Created .dev.vars from .dev.vars.example (development MASTER_KEY).");
}

// wrangler refuses a missing [assets] directory: build the admin UI first when it is stale.
const built = ensurePrices() || (await ensureUi());
if (built !== 0) process.exit(built);

// `--persist-to DIR` (e.g. a test's own state) applies to the migrations too.
const args = process.argv.slice(2);
const at = args.indexOf("--persist-to");
const persist = at >= 0 && args[at + 1] ? ["--persist-to", args[at + 1]] : [];
const migrate = await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", ...persist], { CI: "true" });
if (migrate !== 0) process.exit(migrate);

const port = process.env.PORT || "8787";
process.exit(await run("wrangler", ["dev", "--ip", "127.0.0.1", "--port", port, ...args]));
