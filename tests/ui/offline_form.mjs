// ui.offline_form: a teacher downloads the application as Word and as Excel from the form page, fills each
// in outside the browser (python-docx and openpyxl, as a person would in Word and Excel), uploads it, and
// sees which fields were read and the form updated. An upload that conflicts with a change made since the
// download is refused and the page names the field.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { journey, check, people, signIn, field, fillText, screenshot, sourceDir, PYTHON } from "./harness.mjs";

function fill(kind, blank, answers) {
  const dir = path.dirname(blank);
  const filled = path.join(dir, `filled-${path.basename(blank)}`);
  const answersFile = path.join(dir, `${path.basename(blank)}.json`);
  writeFileSync(answersFile, JSON.stringify(answers));
  execFileSync(PYTHON, [path.join(sourceDir, "tests", "tools", `fill_${kind}_form.py`), blank, filled, answersFile]);
  return filled;
}

await journey("offline_form", async ({ open, instance }) => {
  const work = mkdtempSync(path.join(tmpdir(), "spegla-ui-offline-"));
  const page = await open();
  await signIn(page, people.teacher.username);
  await page.goto(`/processer/${instance.id}/formular/ansokan`);
  await page.getByRole("heading", { level: 1, name: "Ansökan om lärande besök" }).waitFor();
  const panel = page.getByRole("region", { name: "Fyll i utan webbläsare" });
  await panel.waitFor();

  async function download(name, suffix) {
    const started = page.waitForEvent("download");
    await panel.getByRole("link", { name }).click();
    const file = await started;
    check(file.suggestedFilename() === `ansokan-${instance.id}.${suffix}`, `the download is called ${file.suggestedFilename()}`);
    const saved = path.join(work, file.suggestedFilename());
    await file.saveAs(saved);
    return saved;
  }
  async function upload(file) {
    await panel.getByLabel("Ifylld fil").setInputFiles(file);
    await panel.getByRole("button", { name: "Läs in filen" }).click();
  }

  // ---- Word: the problem statement, written in Word -----------------------------------------------
  const statement = "Eleverna väntar på att läraren ska ge svaret; vi vill se hur de kan ta mer eget ansvar.";
  await upload(fill("docx", await download("Hämta som Word (.docx)", "docx"), { problemformulering: statement }));
  await panel.getByText("Inläst: 1 fält ändrades (Problemformulering).").waitFor();
  await page.waitForFunction((text) => [...document.querySelectorAll("textarea")].some((t) => t.value === text), statement);
  check(await field(page, "Problemformulering").inputValue() === statement, "the form does not show the imported text");
  await screenshot(page, "form-offline");

  // ---- Excel: the number of pupils ------------------------------------------------------------------
  const workbook = await download("Hämta som Excel (.xlsx)", "xlsx");
  await upload(fill("xlsx", workbook, { antal_barn: "48" }));
  await panel.getByText("Inläst: 1 fält ändrades (Antal barn/elever i gruppen).").waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll("input")].some((i) => i.value === "48"));

  // ---- A conflict: the field changed in the web form after the download --------------------------
  const stale = await download("Hämta som Excel (.xlsx)", "xlsx");
  await fillText(page, "Antal barn/elever i gruppen", "52");
  await upload(fill("xlsx", stale, { antal_barn: "60" }));
  const alert = panel.getByRole("alert");
  await alert.getByText("Filen lästes inte in. Inget sparades.").waitFor();
  check(/Antal barn\/elever i gruppen: .*har ändrats av/.test(await alert.innerText()),
    `the refusal does not name the field: ${await alert.innerText()}`);
  check(await field(page, "Antal barn/elever i gruppen").inputValue() === "52", "the conflicting upload changed the field");
});
