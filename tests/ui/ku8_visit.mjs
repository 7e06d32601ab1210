// ui.ku8_visit: a whole KU8 learning visit through the pages, each person in a browser context of their
// own: the arbetslag applies, the utvecklingsledare puts the observer group together, an observer writes
// the notes of a visit day, the team evaluates and plans, and the documents come down as real DOCX.
// The principal signs off in a fourth context. Only what no page offers goes through the API, and the
// journey says so when it does.
import {
  journey, signIn, screenshot, check, people, PASSWORD, Api, docxText,
  fillText, choose, chooseMany, addRow, field,
} from "./harness.mjs";

const PROBLEM = "Många elever i årskurs 5 väntar på att läraren ska ge svaret i matematik. Vi vill förstå när " +
  "eleverna tar egna initiativ och hur våra genomgångar kan ge dem fler tillfällen att resonera.";
const LESSONS = "Betänketid och pararbete direkt efter en kort genomgång får fler elever att resonera.";
const WHERE_WE_ARE = "Genomgångarna är långa och några få elever svarar på lärarens frågor.";
const NOTES = "Genomgången tog 22 minuter. Läraren ställde elva frågor; tre elever svarade på de flesta.";

// Opens a form from the instance page: the link that leads to /processer/{id}/formular/{form}.
async function openForm(page, id, form, label) {
  const link = page.getByRole("link", { name: label }).and(page.locator(`[href*="/formular/${form}"]`));
  const count = await link.count();
  check(count > 0, `instance page: no link named "${label}" to the form ${form}`);
  await link.first().click();
  await page.waitForURL(new RegExp(`/processer/${id}/formular/${form}`));
  await page.getByRole("heading", { level: 1 }).waitFor();
}

async function openInstance(page, id, title) {
  await page.goto(`/processer/${id}`);
  await page.getByRole("heading", { level: 1 }).waitFor();
  await page.getByText(title).first().waitFor();
}

// Runs a step's action with its button on the instance page: the buttons sit in the group
// "Åtgärder: <step>" ("Klarmarkera steget", "Skriv under").
async function stepAction(page, id, step, label, button, action, done) {
  // Drawn afresh: another person may have moved the instance on since this page was shown.
  await page.goto(`/processer/${id}`);
  const group = page.getByRole("group", { name: `Åtgärder: ${label}`, exact: true });
  await group.waitFor().catch(() => { throw new Error(`instance page: no group of actions "Åtgärder: ${label}" for the step ${step}`); });
  const answer = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/steps/${step}/${action}`));
  await group.getByRole("button", { name: button, exact: true }).click();
  const response = await answer;
  check(response.ok(), `instance page: "${button}" for "${label}" was answered ${response.status()}: ${await response.text().catch(() => "")}`);
  // The page is drawn again with the step's new state.
  await page.getByRole("status").filter({ hasText: done }).waitFor({ state: "attached" });
}

const completeStep = (page, id, step, label) =>
  stepAction(page, id, step, label, "Klarmarkera steget", "complete", "Steget är klarmarkerat.");
const signOff = (page, id, step, label) => stepAction(page, id, step, label, "Skriv under", "sign-off", "Du har skrivit under.");
const addOccurrence = (page, id, step, label, n) =>
  stepAction(page, id, step, label, "Lägg till tillfälle", "occurrences", `Tillfälle ${n} är tillagt.`);

await journey("ku8_visit", async ({ server, open, instance }) => {
  const id = instance.id;
  const as = {};
  for (const [who, person] of Object.entries(people)) as[who] = await Api.signIn(server.url, person.username, PASSWORD);
  const notes = [];  // what went through the API instead of a page, for the report

  // Signs in, follows the task in Mina uppgifter to the instance page.
  async function fromTask(page, taskLabel) {
    await page.goto("/uppgifter");
    await page.getByRole("heading", { level: 1, name: "Mina uppgifter" }).waitFor();
    const task = page.getByRole("link", { name: taskLabel, exact: true });
    await task.first().waitFor().catch(() => { throw new Error(`Mina uppgifter: no task "${taskLabel}"`); });
    await task.first().click();
    await page.waitForURL(new RegExp(`/processer/${id}$`));
    await page.getByRole("heading", { level: 1, name: instance.title }).waitFor();
  }

  // ---- The arbetslag applies ------------------------------------------------------------------------
  const teacher = await open();
  await signIn(teacher, people.teacher.username, PASSWORD, { shot: "login" });
  await teacher.getByRole("link", { name: "Ansökan om lärande besök" }).waitFor();
  await screenshot(teacher, "tasks");
  await fromTask(teacher, "Ansökan om lärande besök");
  await screenshot(teacher, "instance");
  // On a tablet held upright the page fits its width: nothing to scroll sideways.
  await teacher.setViewportSize({ width: 768, height: 1024 });
  const overflow = await teacher.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the instance page is ${overflow}px wider than a 768px tablet`);
  await screenshot(teacher, "instance-tablet");
  await teacher.setViewportSize({ width: 1280, height: 800 });

  await openForm(teacher, id, "ansokan", "Ansökan om lärande besök");
  await fillText(teacher, "Förskola/skola", "Ytterbyskolan");
  await fillText(teacher, "Arbetslag", "Arbetslag 4–6");
  await chooseMany(teacher, "Verksamhetsformer som berörs", ["Grundskola åk 4–6", "Fritidshem"]);
  await fillText(teacher, "Kontaktperson", "Johan Ek");
  await fillText(teacher, "Kontaktpersonens e-postadress", "johan.ek@kungalv.se");
  await fillText(teacher, "Problemformulering", PROBLEM);
  await fillText(teacher, "Önskat observationsområde", "Genomgångar och arbete i par under matematiklektionerna.");
  await fillText(teacher, "Önskade datum eller veckor för besöket", "Vecka 41 och vecka 43.");
  await fillText(teacher, "Antal barn/elever i gruppen", "48");
  await choose(teacher, "Har barn, elever och föräldrar informerats om observationerna?", "Nej");
  // The answer "Nej" brings out the question of when and how they will be informed.
  await field(teacher, "När och hur informerar ni barn, elever och föräldrar?").waitFor();
  await fillText(teacher, "När och hur informerar ni barn, elever och föräldrar?",
    "Eleverna informeras på klassrådet och vårdnadshavarna i veckobrevet.");
  await screenshot(teacher, "form");
  // What the page saved is what the server has.
  const ansokan = await as.teacher.call("GET", `/api/instances/${id}/forms/ansokan`);
  check(JSON.stringify(ansokan).includes("årskurs 5 väntar"), "the application's problem statement did not reach the server");
  await completeStep(teacher, id, "ansokan", "Ansökan om lärande besök");

  // ---- The utvecklingsledare puts the observer group together --------------------------------------
  const lead = await open();
  await signIn(lead, people.lead.username);
  await fromTask(lead, "Sätt samman observatörsgrupp");
  // The observers are assigned on the instance page: "Lägg till deltagare" with a role and a person.
  const participants = lead.getByRole("region", { name: "Deltagare" });
  const assignForm = participants.getByRole("form", { name: "Lägg till deltagare" });
  await assignForm.waitFor().catch(() => { throw new Error('instance page: no form "Lägg till deltagare" for the utvecklingsledare'); });
  const listed = (person) => participants.getByRole("listitem").filter({ hasText: person.name });
  async function assign(person, roleLabel) {
    await assignForm.getByLabel(/^Roll/).selectOption({ label: roleLabel });
    await assignForm.getByLabel(/^Person/).selectOption({ label: `${person.name} (${person.username})` });
    const answer = lead.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/api/instances/${id}/participants`));
    await assignForm.getByRole("button", { name: "Lägg till deltagare", exact: true }).click();
    const response = await answer;
    check(response.ok(), `instance page: assigning ${person.username} was answered ${response.status()}: ${await response.text().catch(() => "")}`);
    await lead.getByRole("status").filter({ hasText: `${person.name} är tillagd som ${roleLabel}.` }).waitFor({ state: "attached" });
    await listed(person).first().waitFor();
  }
  await assign(people.observer1, "Observatör");
  await assign(people.observer2, "Observatör");
  // A slip, put right: the second observer removed with "Ta bort" (named with the person and role), then added again.
  const remove = participants.getByRole("button", { name: `Ta bort ${people.observer2.name} (Observatör)`, exact: true });
  check(await remove.count() === 1, `instance page: no button "Ta bort ${people.observer2.name} (Observatör)"`);
  const removed = lead.waitForResponse((r) => r.request().method() === "DELETE" && r.url().includes(`/participants/`));
  await remove.click();
  check((await removed).status() === 204, "instance page: removing the observer was not answered 204");
  await lead.getByRole("status").filter({ hasText: `${people.observer2.name} är borttagen som Observatör.` }).waitFor({ state: "attached" });
  check(await listed(people.observer2).count() === 0, "instance page: the removed observer is still listed");
  await assign(people.observer2, "Observatör");
  // The history names the step and the states in words, not ids.
  const historyText = await lead.getByRole("region", { name: "Historik" }).textContent();
  check(historyText.includes("Väntar → Pågår"), 'instance page: the history does not show "Väntar → Pågår"');
  check(!/\bpending\b|\bactive\b/.test(historyText), "instance page: the history shows state ids");
  await screenshot(lead, "instance-participants");
  await openForm(lead, id, "besked", "Återkoppling på ansökan");
  await fillText(lead, "Besked lämnat till arbetslaget", "2026-09-15");
  await fillText(lead, "Återkoppling till arbetslaget",
    "Tack för er ansökan! Karin Sjöberg och Lena Holm blir era observatörer.");
  await choose(lead, "Sammankallande observatör", people.observer1.name);
  await completeStep(lead, id, "observatorsgrupp", "Sätt samman observatörsgrupp");

  // ---- Planning: the observers, the team and the principal ------------------------------------------
  const observer = await open();
  await signIn(observer, people.observer1.username);
  await fromTask(observer, "Planeringsmöten");
  await openForm(observer, id, "planering", "Planering");
  await fillText(observer, "Preciserad problemformulering", "Hur ger genomgångarna i matematik eleverna tillfällen att resonera?");
  await choose(observer, "Observationsområde", "Pedagog – barn/elev");
  await addRow(observer, "Planeringsmöten", { Datum: "2026-09-22", Deltagare: "Maria Lindqvist, Johan Ek, Karin Sjöberg, Lena Holm" });
  await screenshot(observer, "form-group");

  await openInstance(teacher, id, "Planeringsmöten");
  await openForm(teacher, id, "planering", "Planering");
  await fillText(teacher, "Barn, elever och föräldrar informerades", "2026-09-24");

  const rektor = await open();
  await signIn(rektor, people.rektor.username);
  await fromTask(rektor, "Planeringsmöten");
  await openForm(rektor, id, "planering", "Planering");
  await choose(rektor, "Rektor/förskolechef har avsatt tid för pedagoger och observatörer", "Ja");
  await signOff(rektor, id, "planeringsmoten", "Planeringsmöten");
  await completeStep(observer, id, "planeringsmoten", "Planeringsmöten");

  // ---- An observer writes the notes of a visit day -----------------------------------------------------
  await fromTask(observer, "Observation");
  await addOccurrence(observer, id, "observation", "Observation", 1);
  await openForm(observer, id, "observation", "Observationsanteckningar – tillfälle 1");
  await fillText(observer, "Datum", "2026-10-06");
  await fillText(observer, "Fokus för dagen", "Genomgång i 5A");
  await fillText(observer, "Anteckningar", NOTES);
  await screenshot(observer, "form-observation");
  await completeStep(observer, id, "observation", "Observation");

  // The observers' feedback to the principal and the team.
  await fromTask(observer, "Återkoppling till rektor och arbetslag");
  await openForm(observer, id, "aterkoppling", "Återkoppling");
  await fillText(observer, "Datum för återkopplingen", "2026-11-03");
  await choose(observer, "Kommunens skolutvecklare är inbjuden", "Ja");
  await fillText(observer, "Huvudsakliga iakttagelser och analys", "I pararbetet resonerar nästan alla elever; under genomgångarna svarar få.");
  await completeStep(observer, id, "aterkoppling_mote", "Återkoppling till rektor och arbetslag");

  // ---- The team evaluates the visit and writes the development plan ------------------------------------
  await fromTask(teacher, "Utvärdering av besöket");
  await openForm(teacher, id, "utvardering", "Utvärdering av det lärande besöket");
  await fillText(teacher, "Vilka nya tankar har besöket gett oss?", "Vi pratar mer än vi trodde under genomgångarna.");
  await fillText(teacher, "Vilka lärdomar har vi gjort?", LESSONS);
  await fillText(teacher, "Vad tar vi med oss?", "Vi kortar genomgångarna till tio minuter.");
  await completeStep(teacher, id, "utvardering", "Utvärdering av besöket");

  await fromTask(teacher, "Utvecklingsplan");
  await openForm(teacher, id, "utvecklingsplan", "Utvecklingsplan");
  await fillText(teacher, "Var är vi?", WHERE_WE_ARE);
  await fillText(teacher, "Vart ska vi?", "Alla elever resonerar om matematik varje lektion.");
  await fillText(teacher, "Hur gör vi?", "Korta genomgångar, betänketid och pararbete.");
  await addRow(teacher, "Åtgärder", { Vad: "Genomgångar på högst tio minuter", Vem: "Johan Ek", När: "2026-11-30" });
  await screenshot(teacher, "form-utvecklingsplan");
  await signOff(rektor, id, "utvecklingsplan", "Utvecklingsplan");
  await completeStep(teacher, id, "utvecklingsplan", "Utvecklingsplan");

  // ---- The documents: real DOCX, filled from the forms ------------------------------------------------
  await teacher.reload();
  const documents = teacher.getByRole("region", { name: "Dokument" });
  await documents.getByRole("link").first().waitFor();
  await documents.scrollIntoViewIfNeeded();
  await screenshot(teacher, "instance-documents");
  for (const [label, text] of [["Ansökan om lärande besök", "årskurs 5 väntar"],
    ["Utvärdering av det lärande besöket", LESSONS], ["Utvecklingsplan", WHERE_WE_ARE]]) {
    const link = documents.getByRole("link", { name: label, exact: true });
    check(await link.count() === 1, `instance page: no link "${label}" among the documents`);
    const [download] = await Promise.all([teacher.waitForEvent("download"), link.click()]);
    const content = docxText(await download.path());
    check(content.includes(text), `the document "${label}" does not contain "${text}"`);
  }

  // The management dashboard, as the utvecklingsledare sees it.
  await lead.getByRole("navigation", { name: "Huvudmeny" }).getByRole("link", { name: "Förvaltning" }).click();
  const dashboard = lead.getByRole("heading", { level: 1 });
  await dashboard.waitFor();
  if (["Något gick fel", "Hämtar…"].includes(await dashboard.textContent())) {
    notes.push(`no management dashboard: /forvaltning shows "${await dashboard.textContent()}"`);
  } else {
    await lead.locator("main").getByText(/KU8 lärande besök/).filter({ visible: true }).first().waitFor()
      .catch(() => { throw new Error('management page: the dashboard does not count the workflow "KU8 lärande besök"'); });
    await screenshot(lead, "management");
  }

  for (const page of [teacher, lead, observer, rektor]) check(page.problems.length === 0, `${page.url()}: ${page.problems.join("; ")}`);
  for (const note of notes) console.log(`# ${note}`);
});
