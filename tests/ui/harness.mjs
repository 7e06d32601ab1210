// The browser tests' harness: starts the real `spegla serve` on a free port over a fresh database, seeds
// an organisation through the REST API, drives Debian's chromium with playwright-core, and stops the
// server with SIGTERM. Nothing waits by sleeping: the server's own output and the API's answers tell when
// things are ready, and the browser's waits are Playwright's auto-waiting locators.
//
// The binary comes from `--spegla PATH` (set by CMake to $<TARGET_FILE:spegla>) or SPEGLA_BINARY; the
// source tree (web/, workflows/, templates/) from SPEGLA_SOURCE_DIR or this file's place in it.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, mkdirSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = process.env.SPEGLA_SOURCE_DIR || path.resolve(here, "..", "..");
// Screenshots go to SPEGLA_SCREENSHOT_DIR (docs/screenshots to refresh the README's), else beside the run,
// so that running the tests leaves the source tree as it was.
export const screenshotDir = process.env.SPEGLA_SCREENSHOT_DIR || path.join(tmpdir(), "spegla-ui-screenshots");
export const CHROMIUM = "/usr/bin/chromium";
export const PYTHON = "/usr/bin/python3";  // Debian's, which has python3-docx
export const ADMIN_PASSWORD = "ui-admin-password-1";

function loadPlaywright() {
  const require = createRequire(import.meta.url);
  try {
    return require("playwright-core");
  } catch {
    throw new Error(`playwright-core is not installed in ${here}: run \`npm ci --prefix tests/ui\` (scripts/test.sh does)`);
  }
}

export function binaryPath() {
  const i = process.argv.indexOf("--spegla");
  const binary = i >= 0 ? process.argv[i + 1] : process.env.SPEGLA_BINARY;
  if (!binary) throw new Error("give the spegla binary: --spegla PATH or SPEGLA_BINARY");
  if (!existsSync(binary)) throw new Error(`no spegla binary at ${binary}`);
  return path.resolve(binary);
}

// ---- The server ------------------------------------------------------------------------------------

export async function startServer() {
  const dir = mkdtempSync(path.join(tmpdir(), "spegla-ui-"));
  const child = spawn(binaryPath(), ["serve", "--port", "0", "--db", path.join(dir, "ui.db")], {
    env: {
      ...process.env,
      SPEGLA_SHARE_DIR: sourceDir,
      SPEGLA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SPEGLA_PASSWORD_COST: "minimum",
      SPEGLA_ACCESS_LOG: "off",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    const seen = (chunk) => {
      output += chunk;
      const m = output.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on("data", seen);
    child.stderr.on("data", seen);
    child.on("error", reject);
    exited.then(({ code, signal }) => reject(new Error(`spegla serve ended (${code ?? signal}) before listening:\n${output}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    dir,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const { code, signal } = await exited;
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) throw new Error(`spegla serve ended with ${code ?? signal} after SIGTERM:\n${output}`);
    },
  };
}

// ---- The REST API, for seeding and for what the pages do not offer ----------------------------------

export class Api {
  constructor(url, token = "") {
    this.url = url;
    this.token = token;
  }

  static async signIn(url, username, password) {
    const api = new Api(url);
    const session = await api.call("POST", "/api/session", { username, password });
    api.token = session.token;
    return api;
  }

  async call(method, route, body, { headers = {}, raw = false } = {}) {
    const init = { method, headers: { ...headers } };
    if (this.token) init.headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) {
      init.headers["Content-Type"] ??= "application/json";
      init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    const response = await fetch(this.url + route, init);
    if (raw) return response;
    const text = await response.text();
    const data = text && (response.headers.get("Content-Type") || "").includes("json") ? JSON.parse(text) : text;
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${typeof data === "string" ? data : JSON.stringify(data)}`);
    return data;
  }
}

// The organisation every journey starts from: KU8's Kungälv with Ytterbyskolan, a KU8 visit just started
// for its arbetslag 4–6, the team and the principal taking part. Fictional people.
export const PASSWORD = "ui-test-password-1";
export const people = {
  teacher: { username: "johan.ek", name: "Johan Ek" },
  rektor: { username: "maria.lindqvist", name: "Maria Lindqvist" },
  lead: { username: "anders.bjork", name: "Anders Björk", global_role: "utvecklingsledare" },
  observer1: { username: "karin.sjoberg", name: "Karin Sjöberg" },
  observer2: { username: "lena.holm", name: "Lena Holm" },
};

export async function seed(server) {
  const admin = await Api.signIn(server.url, "admin", ADMIN_PASSWORD);
  const municipality = await admin.call("POST", "/api/municipalities", { name: "Kungälv", network: "KU8" });
  const unit = await admin.call("POST", "/api/units", { municipality_id: municipality.id, name: "Ytterbyskolan", kind: "skola" });
  for (const person of Object.values(people)) {
    await admin.call("POST", "/api/users", {
      username: person.username, name: person.name, email: `${person.username}@kungalv.example`,
      municipality_id: municipality.id, password: PASSWORD,
      ...(person.global_role ? { global_role: person.global_role } : {}),
    });
  }
  for (const observer of [people.observer1, people.observer2]) {
    await admin.call("POST", `/api/municipalities/${municipality.id}/observer-pool`, { username: observer.username });
  }
  await admin.call("POST", `/api/municipalities/${municipality.id}/roles`, { role: "utvecklingsledare", username: people.lead.username });
  const instance = await admin.call("POST", "/api/instances", {
    workflow: "ku8-larande-besok", unit_id: unit.id, title: "Lärande besök – Ytterbyskolan, arbetslag 4–6",
  });
  await admin.call("POST", `/api/instances/${instance.id}/participants`, { role: "arbetslag", username: people.teacher.username });
  await admin.call("POST", `/api/instances/${instance.id}/participants`, { role: "rektor", username: people.rektor.username });
  return { admin, municipality, unit, instance };
}

// ---- The browser ---------------------------------------------------------------------------------

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: scripts/install-deps.sh --with-tests installs Debian's chromium`);
  const { chromium } = loadPlaywright();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

// A browser context of its own (cookies, sessionStorage) for one user, 1280x800, Swedish.
export async function newPage(browser, server) {
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 }, locale: "sv-SE", acceptDownloads: true });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  // A 4xx answer the page handles is logged by the browser as "Failed to load resource"; that is no problem.
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.problems = problems;
  return page;
}

// Signs in through the login page as a user sees it, and waits for Mina uppgifter.
export async function signIn(page, username, password = PASSWORD, { shot } = {}) {
  await page.goto("/logga-in");
  await page.getByLabel("Användarnamn").fill(username);
  await page.getByLabel("Lösenord").fill(password);
  if (shot) await screenshot(page, shot);
  await page.getByRole("button", { name: "Logga in" }).click();
  await page.getByRole("heading", { level: 1, name: "Mina uppgifter" }).waitFor();
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

// Reads a DOCX with python-docx (a program we did not write): its paragraphs' and tables' text.
export function docxText(file) {
  const bytes = readFileSync(file);
  if (bytes.subarray(0, 2).toString("latin1") !== "PK") throw new Error(`${file} is not a DOCX (does not start with PK)`);
  const script = [
    "import docx, sys",
    "d = docx.Document(sys.argv[1])",
    "out = [p.text for p in d.paragraphs]",
    "out += [c.text for t in d.tables for r in t.rows for c in r.cells]",
    "print('\\n'.join(out))",
  ].join("\n");
  return execFileSync(PYTHON, ["-c", script, file], { encoding: "utf8" });
}

// Runs one journey: server, seed, browser; on failure a screenshot of every open page (in the server's
// temporary directory's stead, next to the output) and the reason; always the server stopped.
export async function journey(name, body) {
  let server, browser;
  const pages = [];
  let failed = false;
  try {
    server = await startServer();
    const seeded = await seed(server);
    browser = await launchBrowser();
    const open = async () => {
      const page = await newPage(browser, server);
      pages.push(page);
      return page;
    };
    await body({ server, browser, open, ...seeded });
    console.log(`ok - ${name}`);
  } catch (error) {
    failed = true;
    console.error(`not ok - ${name}: ${error.stack || error}`);
    const failDir = path.join(tmpdir(), `spegla-ui-${name}-failure`);
    mkdirSync(failDir, { recursive: true });
    for (const [i, page] of pages.entries()) {
      try {
        await page.screenshot({ path: path.join(failDir, `page-${i}.png`), fullPage: true, timeout: 5000 });
        console.error(`  page ${i} at ${page.url()} (screenshot ${failDir}/page-${i}.png)`);
        for (const problem of page.problems) console.error(`  ${problem}`);
      } catch { /* the page may be gone */ }
    }
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) {
      try {
        await server.stop();
      } catch (error) {
        failed = true;
        console.error(`not ok - ${name}: ${error.message}`);
      }
    }
  }
  process.exitCode = failed ? 1 : 0;
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

// ---- Forms, as a user fills them -------------------------------------------------------------------
// Each change is saved on its own (autosave): the helpers wait for the PATCH to be answered and for the
// page to say "Sparat", never for a time.

function isFormPatch(response) {
  return response.request().method() === "PATCH" && /\/api\/instances\/\d+\/forms\//.test(response.url());
}

// `carrying`: the save to wait for is the one whose body has this text (a group's row is saved as its
// cells are filled; only the last save has them all).
export async function saved(page, change, what, carrying = null) {
  const wanted = (r) => isFormPatch(r) && (!carrying || (r.request().postData() || "").includes(carrying));
  const answer = page.waitForResponse(wanted, { timeout: 15000 }).catch(() => null);
  await change();
  const response = await answer;
  check(response, `form page: changing ${what} sent no autosave (no PATCH of the form)`);
  check(response.ok(), `form page: saving ${what} was answered ${response.status()}: ${await response.text().catch(() => "")}`);
  await page.getByText(/Sparat/).first().waitFor({ state: "visible" }).catch(() => {
    throw new Error(`form page: after saving ${what} the page does not say "Sparat"`);
  });
}

// A field's accessible name is its label, perhaps followed by the required mark (" * (obligatoriskt)").
export function named(label) {
  return new RegExp(`^\\s*${escapeRegExp(label)}(\\s*\\*.*)?\\s*$`);
}

export function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// The control for a field's label: a text box, a date, a list box.
export function field(page, label) {
  return page.getByLabel(named(label));
}

export async function fillText(page, label, value) {
  const control = field(page, label);
  check(await control.count() === 1, `form page: ${await control.count()} controls named "${label}"`);
  await saved(page, async () => {
    await control.fill(value);
    await control.blur();
  }, `"${label}"`);
}

// A single choice (yes/no included): radio buttons in a group named by the label, or a list box whose
// option's text contains the choice.
export async function choose(page, label, option) {
  const group = page.getByRole("radiogroup", { name: named(label) }).or(page.getByRole("group", { name: named(label) }));
  if (await group.count()) {
    await saved(page, () => group.first().getByRole("radio", { name: option, exact: true }).check(), `"${label}" = ${option}`);
    return;
  }
  const select = page.getByRole("combobox", { name: named(label) });
  check(await select.count() === 1, `form page: no radio group or list box named "${label}"`);
  const value = await select.evaluate((el, option) => [...el.options].find((o) => o.textContent.includes(option))?.value, option);
  check(value !== undefined, `form page: the list "${label}" has no option "${option}"`);
  await saved(page, () => select.selectOption(value), `"${label}" = ${option}`);
}

// A multiple choice: check boxes in a group named by the label.
export async function chooseMany(page, label, options) {
  const group = page.getByRole("group", { name: named(label) });
  check(await group.count() === 1, `form page: no group of check boxes named "${label}"`);
  for (const option of options) {
    await saved(page, () => group.getByRole("checkbox", { name: option, exact: true }).check(), `"${label}" ∋ ${option}`);
  }
}

// Adds a row to a group field ("Lägg till rad – <label>") and fills its cells ("<column>, rad N") in order;
// waits for the save that carries the last cell's value.
export async function addRow(page, label, cells) {
  const group = page.getByRole("group", { name: named(label) });
  check(await group.count() === 1, `form page: no group named "${label}"`);
  await group.getByRole("button", { name: `Lägg till rad – ${label}`, exact: true }).click();
  const rows = await group.locator("tbody tr").count();
  const entries = Object.entries(cells);
  for (const [i, [column, value]] of entries.entries()) {
    const cell = group.getByLabel(`${column}, rad ${rows}`, { exact: true });
    check(await cell.count() === 1, `form page: no cell "${column}, rad ${rows}" in "${label}"`);
    const fill = async () => { await cell.fill(value); await cell.blur(); };
    if (i < entries.length - 1) await fill();
    else await saved(page, fill, `row ${rows} of "${label}"`, JSON.stringify(value).slice(1, -1));
  }
}
