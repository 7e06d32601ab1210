// ui.hostile_payloads: script payloads typed into every kind of text the interface shows (form fields of each
// text type, an instance title, a person's name, a comment and the history) are shown as text and
// never run: no dialog opens, no injected element appears, nothing sets the marker the payloads try to set.
// The same values in a rendered Word document come out as the literal text (python-docx reads them), and a
// value that looks like a template tag is not treated as one.
import { journey, check, people, signIn, Api, PASSWORD, docxText, field } from "./harness.mjs";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const PAYLOADS = [
  `<img src=x onerror="window.__pwned=1">`,
  `<script>window.__pwned=2</script>`,
  `"><svg onload="window.__pwned=3">`,
  `javascript:window.__pwned=4`,
  `{ansokan.enhet} {#rader}{/rader} {@raw}`,  // template tags of the Word templates
];
const joined = PAYLOADS.join(" ");

await journey("hostile_payloads", async ({ server, open, admin, municipality, unit }) => {
  // A person whose name is a payload, taking part in a process whose title is one.
  await admin.call("POST", "/api/users", {
    username: "mallory", name: PAYLOADS[0], municipality_id: municipality.id, password: PASSWORD,
  });
  const hostile = await admin.call("POST", "/api/instances", {
    workflow: "ku8-larande-besok", unit_id: unit.id, title: `Besök ${PAYLOADS[1]}`,
  });
  for (const [role, username] of [["arbetslag", people.teacher.username], ["arbetslag", "mallory"],
    ["rektor", people.rektor.username]]) {
    await admin.call("POST", `/api/instances/${hostile.id}/participants`, { role, username });
  }

  const teacher = await Api.signIn(server.url, people.teacher.username, PASSWORD);
  const fields = {
    enhet: PAYLOADS[0],
    arbetslag_namn: PAYLOADS[2],
    verksamhetsformer: ["grundskola_46"],
    kontaktperson: PAYLOADS[4],
    kontakt_epost: "johan.ek@kungalv.example",
    problemformulering: `Hur gör vi eleverna delaktiga? ${joined}`,
    observationsomrade_onskat: joined,
    onskade_datum: PAYLOADS[3],
    antal_barn: 24,
    informerat_foraldrar: true,
  };
  await teacher.call("PATCH", `/api/instances/${hostile.id}/forms/ansokan`, { fields }, { headers: { "If-Match": "*" } });
  await teacher.call("POST", `/api/instances/${hostile.id}/comments`, {
    // (the template payload's "{@raw}" would mention a user "raw", who does not exist)
    field: { form: "ansokan", field: "enhet" }, body: `@${people.rektor.username} ${PAYLOADS.slice(0, 4).join(" ")}`,
  });

  const page = await open();
  const dialogs = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  const untouched = async (where) => {
    const state = await page.evaluate(() => ({
      pwned: window.__pwned ?? null,
      injected: document.querySelectorAll("img[src='x'], svg[onload], script:not([src])").length,
    }));
    check(state.pwned === null, `${where}: a payload ran (window.__pwned = ${state.pwned})`);
    check(state.injected === 0, `${where}: ${state.injected} injected element(s) in the page`);
    check(dialogs.length === 0, `${where}: dialogs opened: ${dialogs.join("; ")}`);
  };

  await signIn(page, people.rektor.username);
  // Mina uppgifter: the mention, with the comment's text.
  await page.getByText(PAYLOADS[1], { exact: false }).first().waitFor();
  await untouched("Mina uppgifter");

  await page.goto("/processer");
  await page.getByText(`Besök ${PAYLOADS[1]}`).first().waitFor();
  await untouched("the processes list");

  await page.goto(`/processer/${hostile.id}`);
  await page.getByRole("heading", { level: 1, name: `Besök ${PAYLOADS[1]}` }).waitFor();
  await page.getByText(PAYLOADS[0]).first().waitFor();  // mallory's name among the participants
  await untouched("the instance page");

  await page.goto(`/processer/${hostile.id}/formular/ansokan`);
  await page.getByRole("heading", { level: 1, name: "Ansökan om lärande besök" }).waitFor();
  const value = (label) => field(page, label).first().inputValue();
  for (const [label, typed] of [["Förskola/skola", PAYLOADS[0]], ["Arbetslag", PAYLOADS[2]],
    ["Kontaktperson", PAYLOADS[4]], ["Önskat observationsområde", joined]]) {
    const shown = await value(label);
    check(shown === typed, `${label} shows ${JSON.stringify(shown)}, not what was typed`);
  }
  await page.getByRole("button", { name: /Kommentarer/ }).first().click();
  await page.getByText(PAYLOADS[3]).first().waitFor();
  await untouched("the form with its comments");

  // The document: the application, rendered when the step is completed.
  await teacher.call("POST", `/api/instances/${hostile.id}/steps/ansokan/complete`, {});
  const response = await teacher.call("GET", `/api/instances/${hostile.id}/documents/ansokan`, undefined, { raw: true });
  check(response.ok, `the application document: ${response.status}`);
  const file = path.join(mkdtempSync(path.join(tmpdir(), "spegla-hostile-")), "ansokan.docx");
  writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  const text = docxText(file);
  for (const payload of [PAYLOADS[0], PAYLOADS[2], PAYLOADS[4]]) {
    check(text.includes(payload), `the document does not show ${JSON.stringify(payload)} as text:\n${text}`);
  }

  // The history, with the values and the step, after the step.
  await page.goto(`/processer/${hostile.id}`);
  await page.getByRole("heading", { level: 1 }).waitFor();
  await untouched("the instance page after the step");
  check(page.problems.length === 0, page.problems.join("; "));
});
