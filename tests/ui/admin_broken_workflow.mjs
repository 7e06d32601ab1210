// ui.admin_broken_workflow: the administrator uploads a workflow definition with six mistakes on the admin
// page and sees every problem beside the line it concerns; nothing is installed. Then, under "Mallar", a
// Word template goes up under a new path and is listed, and a broken one (text named .docx) is refused
// with its problem shown.
import path from "node:path";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { journey, signIn, screenshot, check, sourceDir, ADMIN_PASSWORD } from "./harness.mjs";

const fixture = path.join(sourceDir, "tests", "fixtures", "loader", "several-mistakes.xml");
// What the server says about the fixture (the loader's own tests pin the wording): line -> a part of it.
const problems = [
  [6, "duplicate role id 'rektor'"],
  [10, "undefined role 'arbetslag'"],
  [12, "unknown field type 'nummer'"],
  [17, "step 'skriv' can never complete"],
  [18, "invalid duration 'P2H'"],
  [20, "transition to undefined phase 'slut'"],
];

await journey("admin_broken_workflow", async ({ open, admin }) => {
  const page = await open();
  await signIn(page, "admin", ADMIN_PASSWORD);
  // The language switch: the menu and the page speak English, and Swedish again.
  await page.getByRole("button", { name: /Byt språk/ }).click();
  await page.getByRole("navigation", { name: "Huvudmeny" }).getByRole("link", { name: "My tasks" }).waitFor();
  check((await page.evaluate(() => document.documentElement.lang)) === "en", "after the switch the page is not lang=en");
  await page.getByRole("heading", { level: 1, name: "My tasks" }).waitFor();
  await page.getByRole("button", { name: /Byt språk/ }).click();
  await page.getByRole("navigation", { name: "Huvudmeny" }).getByRole("link", { name: "Mina uppgifter" }).waitFor();
  check((await page.evaluate(() => document.documentElement.lang)) === "sv", "after switching back the page is not lang=sv");
  await page.getByRole("navigation", { name: "Huvudmeny" }).getByRole("link", { name: "Administration" }).click();
  const heading = page.getByRole("heading", { level: 1 });
  await heading.waitFor();
  if ((await heading.textContent()) === "Något gick fel") {
    throw new Error(`admin page: /admin shows "Något gick fel: ${await page.getByRole("alert").first().textContent()}" ` +
      "(web/js/pages/admin.js missing or failing)");
  }

  // The workflows' section: the upload form, "Ladda upp en process".
  const processes = page.getByRole("navigation", { name: "Administrationens delar" }).getByRole("link", { name: /process/i });
  if (await processes.count()) await processes.first().click();
  const upload = page.getByRole("form", { name: "Ladda upp en process" });
  await upload.waitFor().catch(() => { throw new Error('admin page: no form "Ladda upp en process"'); });
  await upload.getByLabel("XML-fil").setInputFiles(fixture);
  const answer = page.waitForResponse((r) => r.url().endsWith("/api/workflows") && r.request().method() === "POST");
  await upload.getByRole("button", { name: "Installera" }).click();
  check((await answer).status() === 422, "the upload of several-mistakes.xml should be answered 422");

  // The summary names how many problems there are and lists each with its line.
  const summary = page.getByRole("alert").filter({ hasText: "problem i definitionen" });
  await summary.waitFor().catch(() => { throw new Error("admin page: no alert with the problems after the upload"); });
  await summary.getByRole("heading", { name: /^6 problem i definitionen/ }).waitFor()
    .catch(async () => { throw new Error(`admin page: the problems' heading is "${await summary.getByRole("heading").textContent()}", not six problems`); });
  const source = readFileSync(fixture, "utf8").split("\n");
  for (const [line, message] of problems) {
    const listed = summary.getByRole("listitem").filter({ hasText: message });
    check(await listed.count() === 1, `admin page: the summary does not list the problem "${message}"`);
    check(new RegExp(`Rad ${line}\\b`).test(await listed.textContent()), `admin page: the summary lists "${message}" without "Rad ${line}"`);
    // Beside its line: the listing's item holding that line of the XML holds the problem too.
    const code = source[line - 1].trim();
    const item = page.getByRole("listitem").filter({ has: page.locator("code").getByText(code, { exact: true }) });
    check(await item.count() === 1, `admin page: the uploaded XML's line ${line} (${code}) is not shown once in the listing`);
    const beside = await item.textContent();
    check(beside.includes(message), `admin page: the problem "${message}" is not shown beside line ${line} (${code})`);
    await item.scrollIntoViewIfNeeded();
  }
  await summary.scrollIntoViewIfNeeded();
  await screenshot(page, "admin-workflow-errors");

  // Nothing was installed.
  const { items } = await admin.call("GET", "/api/workflows");
  check(!items.some((w) => w.id === "trasig-process"), "the broken workflow was installed");

  // ---- Templates: "Mallar" ---------------------------------------------------------------------------
  await page.getByRole("navigation", { name: "Administrationens delar" }).getByRole("link", { name: "Mallar", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Administration: Mallar" }).waitFor();
  const templates = page.getByRole("table", { name: "Mallar på servern" });
  await templates.waitFor().catch(() => { throw new Error('admin page: no table "Mallar på servern"'); });
  check(await templates.getByText("ku8/ansokan.docx", { exact: true }).count() === 1, "admin page: the bundled ku8/ansokan.docx is not listed");
  const form = page.getByRole("form", { name: "Ladda upp en mall" });
  const original = path.join(sourceDir, "templates", "ku8", "utvardering.docx");
  await form.getByLabel("Word-fil (.docx)").setInputFiles(original);
  // The path follows the file's name; the administrator writes a new one.
  const where = form.getByLabel("Sökväg");
  check(await where.inputValue() === "uppladdade/utvardering.docx", `admin page: the path proposed is "${await where.inputValue()}"`);
  await where.fill("ku8/utvardering-ny.docx");
  const sent = page.waitForResponse((r) => r.url().includes("/api/templates?") && r.request().method() === "POST");
  await form.getByRole("button", { name: "Ladda upp", exact: true }).click();
  const uploaded = await sent;
  check(uploaded.status() === 201, `the template upload was answered ${uploaded.status()}: ${await uploaded.text().catch(() => "")}`);
  await page.getByRole("status").filter({ hasText: "Uppladdad: ku8/utvardering-ny.docx" }).waitFor();
  await templates.getByText("ku8/utvardering-ny.docx", { exact: true }).waitFor()
    .catch(() => { throw new Error("admin page: the uploaded template is not listed"); });
  const listedNow = await admin.call("GET", "/api/templates");
  check(listedNow.items.some((i) => i.path === "ku8/utvardering-ny.docx" && i.size === readFileSync(original).length),
    "server: the uploaded template is not there with the original's size");

  // A text file named .docx: refused, with the problem shown and nothing saved.
  const dir = mkdtempSync(path.join(tmpdir(), "spegla-ui-template-"));
  try {
    const broken = path.join(dir, "trasig.docx");
    writeFileSync(broken, "Det här är ingen Word-fil, bara text.\n");
    await form.getByLabel("Word-fil (.docx)").setInputFiles(broken);
    await where.fill("uppladdade/trasig.docx");
    const refused = page.waitForResponse((r) => r.url().includes("/api/templates?") && r.request().method() === "POST");
    await form.getByRole("button", { name: "Ladda upp", exact: true }).click();
    check((await refused).status() === 422, "the broken template should be answered 422");
    const alert = page.getByRole("alert").filter({ hasText: "problem i mallen" });
    await alert.waitFor().catch(() => { throw new Error("admin page: no alert with the template's problems"); });
    check(await alert.getByRole("listitem").count() >= 1, "admin page: the template's problems are not listed");
    await screenshot(page, "admin-template-errors");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  check(await templates.getByText("uppladdade/trasig.docx").count() === 0, "admin page: the broken template is listed");
  const after = await admin.call("GET", "/api/templates");
  check(!after.items.some((i) => i.path === "uppladdade/trasig.docx"), "server: the broken template was saved");

  check(page.problems.length === 0, `admin page: ${page.problems.join("; ")}`);
});
