// The admin UI end to end in Debian's chromium (playwright-core, never a downloaded browser):
// sign in, create a key and see it once, edit it, call the gateway with it and see its live
// rpm_used and spend chart, see the call in Logs and on the Overview, filter Logs by status,
// block the key and see the next call refused, add a model, see a deployment cooling down and
// test one, stream an answer in the Playground, edit a team, sign out. A screenshot per step goes to test-results/; axe-core checks every
// page for serious or critical accessibility violations. Without chromium the test fails.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startGateway, startMockUpstream, type Gateway, type MockUpstream } from "./gateway.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = path.join(ROOT, "test-results");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let upstream: MockUpstream;
let gateway: Gateway;
let browser: Browser;
let page: Page;
const cspViolations: string[] = [];
const pageErrors: string[] = [];
let step = 0;

async function shot(name: string): Promise<void> {
  step += 1;
  await page.screenshot({ path: path.join(SHOTS, `ui-${String(step).padStart(2, "0")}-${name}.png`), fullPage: true });
}

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown }> }>;
}

/** axe-core in the page (evaluated over the DevTools protocol, so the page's CSP stays on). */
async function checkA11y(where: string): Promise<void> {
  await page.evaluate(axeSource);
  const result = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: Document, o: object): Promise<unknown> } }).axe;
    return axe.run(document, { resultTypes: ["violations"] });
  })) as AxeResult;
  const bad = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`);
  expect(bad, `accessibility violations on ${where}`).toEqual([]);
}

async function go(title: string): Promise<void> {
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: title, exact: true }).click();
  await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe(title);
}

/** Calls the gateway from outside the browser, as a client with the virtual key. */
function chat(key: string, model = "mock-model") {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "Hi" }] }),
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium); .ci/run does this when it is missing.`);
  }
  mkdirSync(SHOTS, { recursive: true });
  upstream = await startMockUpstream();
  gateway = await startGateway(upstream.url);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: gateway.url });
  page = await context.newPage();
  page.on("dialog", (d) => void d.accept());
  page.on("console", (m) => {
    if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on("pageerror", (e) => pageErrors.push(String(e)));
}, 200_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await upstream?.close();
});

describe("the admin UI in chromium", () => {
  it("signs in, manages a key, sees its calls, adds a model, streams in the playground, signs out", async () => {
    // The UI's own files come with the strict CSP, and no asset shadows an API route.
    const index = await page.goto(`${gateway.url}/ui/`);
    expect(index!.status()).toBe(200);
    const csp = index!.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect((await fetch(`${gateway.url}/_headers`)).status).toBe(404);

    // Sign in: a wrong password is said in words, then the master key works.
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Switchyard admin");
    await checkA11y("sign-in");
    await page.getByLabel("Master key or password").fill("not-the-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Wrong username or password");
    await shot("sign-in-refused");
    await page.getByLabel("Master key or password").fill(gateway.masterKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Overview");
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "switchyard_session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Strict");
    await shot("overview-empty");
    await checkA11y("overview");

    // Create a key: the raw key is shown once, with a copy button.
    await go("Keys");
    await page.getByText("Create a key").click();
    await page.getByLabel("Alias").fill("browser-key");
    await page.getByRole("button", { name: "Create key" }).click();
    const rawEl = page.getByTestId("raw-key");
    await rawEl.waitFor();
    const raw = (await rawEl.textContent())!.trim();
    expect(raw).toMatch(/^sk-/);
    await page.getByRole("button", { name: "Copy key" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Copied" }).count()).toBe(1);
    await shot("key-created");
    await checkA11y("keys");
    await page.getByRole("button", { name: "Done, hide it" }).click();
    await page.reload();
    await page.getByRole("button", { name: "Block browser-key" }).waitFor();
    expect(await page.content()).not.toContain(raw);
    // The signed-in role shows, and the buttons it may use are there.
    expect(await page.getByTestId("role").textContent()).toBe("proxy admin");

    // Edit the key: give it a limit of 10 requests a minute; its live usage counts against it.
    await page.getByRole("button", { name: "Manage browser-key" }).click();
    const detail = page.getByTestId("key-detail");
    await detail.getByLabel("Requests per minute").fill("10");
    await detail.getByRole("button", { name: "Save changes" }).click();
    await detail.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    await expect.poll(() => page.getByTestId("live-usage").textContent()).toContain("0 of 10");
    await expect.poll(() => page.getByRole("cell", { name: "10 rpm" }).count()).toBe(1);
    await shot("key-edited");
    await checkA11y("key detail");
    await detail.getByRole("button", { name: "Close" }).click();

    // Call the gateway with it: the mock answers.
    const ok = await chat(raw);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe("Hello from the mock.");

    // The call shows in Logs (the spend queue writes it about a second later), with its details.
    await go("Logs");
    await expect
      .poll(
        async () => {
          await page.getByRole("button", { name: "Apply" }).click();
          return page.getByRole("cell", { name: "mock-model" }).count();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBeGreaterThan(0);
    await page
      .getByRole("button", { name: /^View details of request/ })
      .first()
      .click();
    await page.getByRole("heading", { name: /^Request / }).waitFor();
    expect(await page.locator(".facts").textContent()).toContain("mock-1");
    await shot("logs-detail");
    await checkA11y("logs");

    // The Overview counts it and charts its spend.
    await go("Overview");
    await expect.poll(() => page.getByTestId("total-requests").textContent(), { timeout: 15_000 }).toBe("1");
    expect(await page.getByTestId("total-spend").textContent()).not.toBe("$0.00");
    await shot("overview-with-spend");

    // The key's page: live rpm_used after the call, and its spend per day.
    await go("Keys");
    await page.getByRole("button", { name: "Manage browser-key" }).click();
    await expect
      .poll(async () => {
        await page.getByRole("button", { name: "Refresh usage" }).click();
        return page.getByTestId("live-usage").textContent();
      })
      .toContain("1 of 10");
    await expect.poll(() => page.getByTestId("key-detail").locator("figcaption strong").textContent()).not.toBe("$0.00");
    await shot("key-live-usage");
    await page.getByTestId("key-detail").getByRole("button", { name: "Close" }).click();

    // A refused call is logged as a failure: the Logs' status filter finds it alone.
    expect((await chat(raw, "refused-model")).status).toBe(401);
    await go("Logs");
    await page.getByLabel("Status").selectOption("failure");
    await expect
      .poll(
        async () => {
          await page.getByRole("button", { name: "Apply" }).click();
          return page.getByRole("cell", { name: "refused-model" }).count();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(1);
    expect(await page.getByRole("cell", { name: "mock-model" }).count()).toBe(0);
    await shot("logs-failures");
    await page.getByLabel("Status").selectOption("success");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "refused-model" }).count()).toBe(0);
    expect(await page.getByRole("cell", { name: "mock-model" }).count()).toBeGreaterThan(0);

    // Block the key: the next call is refused.
    await go("Keys");
    await page.getByRole("button", { name: "Block browser-key" }).click();
    await page.getByRole("button", { name: "Unblock browser-key" }).waitFor();
    const refused = await chat(raw);
    expect(refused.status).toBe(401);
    await shot("key-blocked");
    await page.getByRole("button", { name: "Unblock browser-key" }).click();
    await page.getByRole("button", { name: "Block browser-key" }).waitFor();
    expect((await chat(raw)).status).toBe(200);

    // Add a model; its API key is write-only.
    await go("Models");
    await page.getByText("Add a model").click();
    await page.getByLabel("Model name").fill("added-model");
    await page.getByLabel("Provider/model").fill("openai/mock-added");
    await page.getByLabel("API base").fill(`${upstream.url}/v1`);
    await page.getByLabel("API key").fill("sk-added-upstream-secret-42");
    await page.getByLabel("Deployment id").fill("added-1");
    await page.getByRole("button", { name: "Add model" }).click();
    await page.getByRole("status").filter({ hasText: "Added added-1." }).waitFor();
    await page.getByRole("cell", { name: "added-1", exact: true }).waitFor();
    await shot("model-added");
    await checkA11y("models");
    // The refused upstream key rested its deployment: the Models page says until when.
    await expect.poll(() => page.getByTestId("cooldown").textContent()).toMatch(/^cooling down until /);
    // The test button makes a one-token call and says what came back, in words.
    await page.getByRole("button", { name: "Test mock-1" }).click();
    await expect.poll(() => page.getByTestId("test-mock-1").textContent(), { timeout: 20_000 }).toMatch(/^Answered a one-token call in \d+ ms: healthy\.$/);
    await page.getByRole("button", { name: "Test refused-1" }).click();
    await expect.poll(() => page.getByTestId("test-refused-1").textContent(), { timeout: 20_000 }).toContain("mock: this upstream key is refused");
    await shot("models-state-and-test");
    await page.reload();
    await page.getByRole("cell", { name: "added-1", exact: true }).waitFor();
    expect(await page.content()).not.toContain("sk-added-upstream-secret-42");

    // Playground: paste the key, pick the added model, get a streamed answer.
    await go("Playground");
    await page.getByLabel("Virtual key").fill(raw);
    await page.getByRole("button", { name: "Load models" }).click();
    await expect.poll(() => page.getByLabel("Model").locator("option").allTextContents(), { timeout: 20_000 }).toContain("added-model");
    await page.getByLabel("Model").selectOption("added-model");
    await page.getByLabel("Message").fill("Say hello");
    await page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => page.getByTestId("answer").textContent(), { timeout: 20_000 }).toBe("Hello from the mock, streamed.");
    const streamed = upstream.calls.at(-1)!;
    expect(streamed.body.stream).toBe(true);
    expect(streamed.body.model).toBe("mock-added");
    expect(streamed.authorization).toBe("Bearer sk-added-upstream-secret-42");
    await shot("playground-streamed");
    await checkA11y("playground");

    // Settings and Teams.
    await go("Settings");
    await expect.poll(() => page.getByTestId("readiness").textContent()).toBe("healthy");
    await shot("settings");
    await checkA11y("settings");
    await go("Teams");
    await page.getByText("Create a team").click();
    await page.getByLabel("Alias").fill("browser-team");
    await page.getByRole("button", { name: "Create team" }).click();
    await page.getByRole("button", { name: "Delete team browser-team" }).waitFor();
    // Edit the team: a new alias and a budget.
    await page.getByRole("button", { name: "Edit team browser-team" }).click();
    await page.getByRole("region", { name: "Edit team browser-team" }).getByLabel("Alias").fill("browser-team-2");
    await page.getByRole("region", { name: "Edit team browser-team" }).getByLabel("Max budget (USD)").fill("5");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("button", { name: "Delete team browser-team-2" }).waitFor();
    await expect.poll(() => page.getByRole("cell", { name: "$0.00 of $5.00" }).count()).toBe(1);
    await shot("team-edited");
    await checkA11y("teams");

    // An error from the API is shown in words.
    await go("Keys");
    await page.getByText("Create a key").click();
    await page.getByLabel("Team id").fill("no-such-team");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("Team 'no-such-team' does not exist.");

    // A viewer's UI: the pages and buttons its role may not use are not there. Only the master key
    // signs in here (a viewer comes through Cloudflare Access), so the browser is handed what
    // /ui/api/session answers a proxy_admin_viewer: the role table's reads.
    const real = (await (await page.request.get(`${gateway.url}/ui/api/session`)).json()) as { routes: string[] };
    const reads = real.routes.filter((r) => r.startsWith("GET "));
    await page.route("**/ui/api/session", (route) => route.fulfill({ json: { ...real, role: "proxy_admin_viewer", user_role: "proxy_admin_viewer", team_admin_of: [], routes: reads } }));
    await page.reload();
    await expect.poll(() => page.getByTestId("role").textContent()).toBe("proxy admin viewer");
    await page.getByRole("button", { name: "Manage browser-key" }).waitFor();
    expect(await page.getByText("Create a key").count()).toBe(0);
    for (const action of ["Block", "Regenerate", "Delete"]) expect(await page.getByRole("button", { name: `${action} browser-key` }).count()).toBe(0);
    await page.getByRole("button", { name: "Manage browser-key" }).click();
    await page.getByTestId("live-usage").waitFor();
    expect(await page.getByRole("button", { name: "Save changes" }).count()).toBe(0);
    await shot("viewer-keys");
    await go("Models");
    await page.getByRole("cell", { name: "mock-1", exact: true }).waitFor();
    expect(await page.getByText("Add a model").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Test mock-1" }).count()).toBe(0);
    await page.unroute("**/ui/api/session");
    await page.reload();
    await expect.poll(() => page.getByTestId("role").textContent()).toBe("proxy admin");

    // At 390 px wide the pages fit (tables scroll inside their own box).
    await page.setViewportSize({ width: 390, height: 844 });
    for (const title of ["Keys", "Logs", "Overview"]) {
      await go(title);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${title} at 390 px`).toBeLessThanOrEqual(390);
    }
    await expect.poll(() => page.locator("main .status").first().textContent()).toBe("");
    await shot("overview-390px");
    await page.setViewportSize({ width: 1280, height: 860 });

    // Sign out: back to the sign-in page, and the admin API refuses the browser.
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Switchyard admin");
    const after = await page.evaluate(async () => (await fetch("/key/list")).status);
    expect(after).toBe(401);
    await shot("signed-out");

    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
