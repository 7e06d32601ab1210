// ui.live_form: two people write one form at once, each in a browser of their own (docs/collaboration.md):
// the arbetslag teacher (A) and the principal (B), who may both edit the application. They see each other
// on the page and where the other writes; a value A saves appears at B without a reload; changes to
// different fields both stay; edits to different paragraphs of one long text merge; edits to the same
// words bring the side-by-side conflict view; a comment with an @mention reaches B on the form and in
// Mina uppgifter; the field history restores an earlier version; B's lost connection comes back with the
// unsaved input intact; and A's step completion appears on B's instance page. Nothing waits by sleeping:
// every wait is for something on the page (or an answer of the server) with a time limit.
import { journey, check, people, signIn, saved, field, fillText, choose, chooseMany, screenshot, Api, PASSWORD } from "./harness.mjs";

const FORM = "Ansökan om lärande besök";

// Polls `probe` until it returns something truthy; fails with `message` (and the last value seen).
async function eventually(probe, message, timeout = 15000) {
  const until = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error.message;
    }
    if (Date.now() > until) throw new Error(`${message} (last seen: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const liveStatus = (page) => page.locator(".live-status");
async function isLive(page, who) {
  await eventually(async () => (await liveStatus(page).getAttribute("data-state")) === "live" &&
    (await liveStatus(page).textContent()).trim() === "Live", `${who}: the connection status never says "Live"`);
}

// The field's box on the form (label, control, marker, tools).
const fieldBox = (page, id) => page.locator(`[data-field="${id}"]`);

function isPatchOf(fieldId) {
  return (r) => r.request().method() === "PATCH" && /\/api\/instances\/\d+\/forms\/ansokan/.test(r.url()) &&
    (r.request().postData() || "").includes(`"${fieldId}"`);
}

await journey("live_form", async ({ server, open, instance }) => {
  const id = instance.id;
  const formUrl = `/processer/${id}/formular/ansokan`;
  const a = await open();
  const b = await open();
  await signIn(a, people.teacher.username);
  await signIn(b, people.rektor.username);
  for (const page of [a, b]) {
    await page.goto(formUrl);
    await page.getByRole("heading", { level: 1, name: FORM }).waitFor();
  }
  await isLive(a, "A");
  await isLive(b, "B");
  // B's page is never loaded again from here on: this mark would be gone.
  await b.evaluate(() => { window.speglaNoReload = true; });

  // ---- Presence: A sees B on the page, and B's "skriver…" at the field B is in ------------------------
  const here = a.getByRole("group", { name: "Här just nu" });
  await here.getByText(people.rektor.name).waitFor()
    .catch(() => { throw new Error(`A does not see ${people.rektor.name} among "Här just nu"`); });
  check((await here.locator(".avatar").first().textContent()).trim() === "ML", "B's badge does not show the initials ML");
  await field(b, "Kontaktperson").focus();
  const typing = fieldBox(a, "kontaktperson").getByText(`${people.rektor.name} skriver…`);
  await typing.waitFor().catch(() => { throw new Error(`A does not see "${people.rektor.name} skriver…" at Kontaktperson`); });
  await screenshot(a, "form-live-presence");
  // On a phone the form, the presence and the tools fit the width: nothing to scroll sideways.
  await a.setViewportSize({ width: 375, height: 812 });
  const overflow = await a.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the form with presence and tools is ${overflow}px wider than a 375px phone`);
  await screenshot(a, "form-live-phone");
  await a.setViewportSize({ width: 1280, height: 800 });
  await field(b, "Kontaktperson").blur();
  await typing.waitFor({ state: "hidden" });

  // ---- A saves a field; B sees the value without a reload --------------------------------------------
  await fillText(a, "Förskola/skola", "Ytterbyskolan");
  await eventually(async () => (await field(b, "Förskola/skola").inputValue()) === "Ytterbyskolan",
    'B does not see A\'s "Ytterbyskolan" in Förskola/skola');

  // ---- Both save different fields at once: both stay ------------------------------------------------
  await Promise.all([fillText(a, "Kontaktperson", "Johan Ek"), fillText(b, "Arbetslag", "Arbetslag 4–6")]);
  await eventually(async () => (await field(a, "Arbetslag").inputValue()) === "Arbetslag 4–6", "A does not see B's Arbetslag");
  await eventually(async () => (await field(b, "Kontaktperson").inputValue()) === "Johan Ek", "B does not see A's Kontaktperson");

  // ---- Both edit one long text, in different paragraphs: merged, and both see the merged text ---------
  const AREA = "Önskat observationsområde";
  const base = "Genomgångar i matematik under förmiddagen.\n\nArbete i par efter genomgången.";
  await fillText(a, AREA, base);
  await eventually(async () => (await field(b, AREA).inputValue()) === base, "B does not see the two paragraphs A wrote");
  const fromA = "Korta genomgångar i matematik under förmiddagen.\n\nArbete i par efter genomgången.";
  const fromB = "Genomgångar i matematik under förmiddagen.\n\nArbete i par och helklass efter genomgången.";
  const merged = "Korta genomgångar i matematik under förmiddagen.\n\nArbete i par och helklass efter genomgången.";
  const answers = [a, b].map((page) => page.waitForResponse(isPatchOf("observationsomrade_onskat")));
  // Both write before either save goes out (each saves 0.8 s after the last key, or on leaving the field).
  await Promise.all([field(a, AREA).fill(fromA), field(b, AREA).fill(fromB)]);
  await Promise.all([field(a, AREA).blur(), field(b, AREA).blur()]);
  const [answerA, answerB] = await Promise.all(answers);
  check(answerA.ok() && answerB.ok(), `the two saves of different paragraphs were answered ${answerA.status()} and ${answerB.status()}`);
  const mergedBy = [];
  for (const [who, answer] of [["A", answerA], ["B", answerB]]) {
    if (((await answer.json()).merged || []).some((m) => String(m).endsWith("observationsomrade_onskat"))) mergedBy.push(who);
  }
  check(mergedBy.length === 1, `one of the two saves should have been merged, not ${mergedBy.length} (${mergedBy})`);
  for (const [who, page] of [["A", a], ["B", b]]) {
    await eventually(async () => (await field(page, AREA).inputValue()) === merged, `${who} does not show the merged text`)
      .catch(async (error) => {
        throw new Error(`${error.message}: ${JSON.stringify(await field(page, AREA).inputValue())}; merged by ${mergedBy}`);
      });
  }
  const merger = mergedBy[0] === "A" ? a : b;
  await fieldBox(merger, "observationsomrade_onskat").getByText(/Din ändring slogs ihop med/).waitFor()
    .catch(() => { throw new Error(`${mergedBy[0]} is not told "Din ändring slogs ihop med …"`); });
  await screenshot(merger, "form-live-merged");

  // ---- Both change the same words: the second save gets the conflict view and resolves it --------------
  // B's save is held back until A's has been answered, so the order is certain.
  let releaseB;
  const held = new Promise((resolve) => { releaseB = resolve; });
  await b.route(/\/api\/instances\/\d+\/forms\/ansokan/, async (route) => {
    if (route.request().method() === "PATCH") await held;
    await route.continue();
  });
  const sameA = "Korta genomgångar i matematik under förmiddagen.\n\nArbete i grupper efter genomgången.";
  const sameB = "Korta genomgångar i matematik under förmiddagen.\n\nArbete i helklass efter genomgången.";
  const refused = b.waitForResponse(isPatchOf("observationsomrade_onskat"));
  await field(b, AREA).fill(sameB);
  await field(b, AREA).blur();
  await fillText(a, AREA, sameA);
  // While B's save waits, A's change arrives: B's text stays, and B is told.
  await fieldBox(b, "observationsomrade_onskat").getByText(`${people.teacher.name} ändrade fältet medan du skrev`, { exact: false }).waitFor()
    .catch(() => { throw new Error("B is not told that A changed the field while B was writing"); });
  check(await field(b, AREA).inputValue() === sameB, "B's unsaved text was replaced by A's change");
  releaseB();
  check((await refused).status() === 409, `B's save of the same words was answered ${(await refused).status()}, not 409`);
  await b.unroute(/\/api\/instances\/\d+\/forms\/ansokan/);
  const conflict = b.getByRole("group", { name: /Någon annan har ändrat fältet/ });
  await conflict.waitFor();
  check(await conflict.getByLabel(`Sparat av ${people.teacher.username}`, { exact: true }).inputValue() === sameA, "the conflict view does not show A's text");
  check(await conflict.getByLabel("Ditt förslag", { exact: true }).inputValue() === sameB, "the conflict view does not show B's text");
  await screenshot(b, "form-live-conflict");
  await saved(b, () => conflict.getByRole("button", { name: /^Använd mitt/ }).click(), "B's text after the conflict");
  await eventually(async () => (await field(a, AREA).inputValue()) === sameB, "A does not see the text B chose in the conflict");

  // ---- A comments with an @mention; B sees it on the form and in Mina uppgifter -------------------------
  const commentsA = a.getByRole("button", { name: /^Kommentarer \(0\) – Problemformulering$/ });
  await commentsA.click();
  const threadA = a.getByRole("region", { name: "Kommentarer: Problemformulering" });
  const box = threadA.getByRole("textbox", { name: /^Ny kommentar/ });
  // Someone who cannot see the application cannot be mentioned: the server refuses, the page says why.
  await box.fill(`Kan du läsa detta, @${people.observer1.username}?`);
  const refusedComment = a.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/api/instances/${id}/comments`));
  await threadA.getByRole("button", { name: /^Skicka/ }).click();
  check((await refusedComment).status() === 422, `mentioning someone who cannot see the form was answered ${(await refusedComment).status()}, not 422`);
  await threadA.getByRole("alert").waitFor().catch(() => { throw new Error("the refused mention is not shown in an alert"); });
  // @-completion: "@mar" offers Maria Lindqvist; Enter takes her.
  await box.fill("Kan du läsa problemformuleringen, ");
  await box.press("End");
  await box.pressSequentially("@mar");
  await threadA.getByRole("option", { name: /Maria Lindqvist/ }).waitFor()
    .catch(() => { throw new Error('typing "@mar" offers no Maria Lindqvist'); });
  await box.press("Enter");
  await box.pressSequentially("innan vi skickar in?");
  const comment = `Kan du läsa problemformuleringen, @${people.rektor.username} innan vi skickar in?`;
  check(await box.inputValue() === comment, `the comment box holds ${JSON.stringify(await box.inputValue())}`);
  const posted = a.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/api/instances/${id}/comments`));
  await threadA.getByRole("button", { name: /^Skicka/ }).click();
  check((await posted).status() === 201, `the comment was answered ${(await posted).status()}`);
  await threadA.getByText("innan vi skickar in?").waitFor();
  check(await threadA.getByRole("alert").count() === 0, "the alert of the refused mention is still shown after a comment was sent");

  const commentsB = b.getByRole("button", { name: /^Kommentarer \(1\) – Problemformulering$/ });
  await commentsB.waitFor().catch(() => { throw new Error("B's comment button of Problemformulering does not count 1 open comment"); });
  await commentsB.click();
  const threadB = b.getByRole("region", { name: "Kommentarer: Problemformulering" });
  await threadB.getByText("innan vi skickar in?").waitFor();
  check(await threadB.locator(".mention").filter({ hasText: `@${people.rektor.username}` }).count() === 1, "the mention is not marked in B's thread");
  check((await threadB.locator(".comment-author").first().textContent()).includes(people.teacher.name), "the comment does not name its author");
  await screenshot(b, "form-live-comments");

  const tasksB = await b.context().newPage();
  tasksB.problems = [];
  await tasksB.goto("/uppgifter");
  const mentions = tasksB.getByRole("region", { name: "Omnämnanden" });
  await mentions.getByText("innan vi skickar in?").waitFor()
    .catch(() => { throw new Error('B\'s Mina uppgifter lists no mention under "Omnämnanden"'); });
  const mentionLink = mentions.getByRole("link").first();
  check((await mentionLink.getAttribute("href")).includes("/formular/ansokan"), "the mention does not link to the form");
  const roles = tasksB.getByRole("region", { name: "Mina roller" });
  await roles.getByText(instance.title).waitFor().catch(() => { throw new Error('B\'s "Mina roller" does not list the instance'); });
  await screenshot(tasksB, "tasks-mentions");
  // The mention leads to the field, with its comments open.
  await mentionLink.click();
  await tasksB.getByRole("region", { name: "Kommentarer: Problemformulering" }).getByText("innan vi skickar in?").waitFor()
    .catch(() => { throw new Error("the mention's link does not open the field's comments"); });
  await tasksB.close();

  // B resolves it; A's count drops to 0 without a reload.
  await threadB.getByRole("button", { name: /^Markera som löst/ }).click();
  await threadB.getByRole("button", { name: /^Öppna igen/ }).waitFor();
  await a.getByRole("button", { name: /^Kommentarer \(0\) – Problemformulering$/ }).waitFor()
    .catch(() => { throw new Error("A's comment count does not drop to 0 when B resolves the comment"); });

  // ---- Field history: the versions, newest first, and a restore -----------------------------------------
  await fillText(a, "Förskola/skola", "Ytterby skola");
  await a.getByRole("button", { name: /^Historik – Förskola\/skola$/ }).click();
  const history = a.getByRole("region", { name: "Historik: Förskola/skola" });
  const versions = history.locator(".history-version");
  await eventually(async () => (await versions.count()) === 2, "the history of Förskola/skola does not list 2 versions");
  check((await versions.nth(0).textContent()).includes("Ytterby skola"), "the newest version is not listed first");
  check((await versions.nth(1).textContent()).includes("Ytterbyskolan"), "the first version is not listed second");
  const restore = history.getByRole("button", { name: /^Återställ version 1/ });
  const restored = a.waitForResponse((r) => r.request().method() === "POST" && /\/fields\/enhet\/restore/.test(r.url()));
  await restore.click();
  check((await restored).ok(), `restoring version 1 was answered ${(await restored).status()}`);
  await eventually(async () => (await field(a, "Förskola/skola").inputValue()) === "Ytterbyskolan", "A's field does not show the restored value");
  await eventually(async () => (await versions.count()) === 3, "the history does not list the restore as version 3");
  check(/återställd från version 1/.test(await versions.nth(0).textContent()), 'version 3 is not "återställd från version 1"');
  await eventually(async () => (await field(b, "Förskola/skola").inputValue()) === "Ytterbyskolan", "B does not see the restored value");
  await screenshot(a, "form-live-history");

  // ---- B loses the connection while typing, comes back, and the input is kept and saved ------------------
  await b.context().setOffline(true);
  await eventually(async () => (await liveStatus(b).textContent()).includes("Återansluter…"), 'B\'s status does not say "Återansluter…" offline');
  const offlineText = "Vecka 41, tisdag och torsdag.";
  await field(b, "Önskade datum eller veckor för besöket").fill(offlineText);
  await field(b, "Önskade datum eller veckor för besöket").blur();
  await b.getByText(/Kunde inte nå servern/).waitFor().catch(() => { throw new Error("B is not told that the save could not reach the server"); });
  const savedAgain = b.waitForResponse(isPatchOf("onskade_datum"));
  await b.context().setOffline(false);
  await isLive(b, "B, back online");
  check((await savedAgain).ok(), `B's save after reconnecting was answered ${(await savedAgain).status()}`);
  check(await field(b, "Önskade datum eller veckor för besöket").inputValue() === offlineText, "B's input was lost while offline");
  await eventually(async () => (await field(a, "Önskade datum eller veckor för besöket").inputValue()) === offlineText,
    "A does not see what B wrote offline");

  // ---- A completes the step; B's instance page shows it without a reload ---------------------------------
  await fillText(a, "Kontaktpersonens e-postadress", "johan.ek@kungalv.se");
  await fillText(a, "Problemformulering", "Många elever i årskurs 5 väntar på att läraren ska ge svaret i matematik.");
  await chooseMany(a, "Verksamhetsformer som berörs", ["Grundskola åk 4–6"]);
  await choose(a, "Har barn, elever och föräldrar informerats om observationerna?", "Ja");
  await b.getByRole("link", { name: /Tillbaka till processen/ }).click();
  await b.getByRole("heading", { level: 1, name: instance.title }).waitFor();
  await isLive(b, "B on the instance page");
  const stepB = b.locator("li.step").filter({ has: b.getByRole("heading", { level: 4, name: FORM }) });
  check((await stepB.locator(".facts").textContent()).includes("Pågår"), "B's instance page does not show the application as in progress");
  await a.getByRole("link", { name: /Tillbaka till processen/ }).click();
  await a.getByRole("heading", { level: 1, name: instance.title }).waitFor();
  const completed = a.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/steps/ansokan/complete"));
  await a.getByRole("group", { name: `Åtgärder: ${FORM}` }).getByRole("button", { name: "Klarmarkera steget" }).click();
  check((await completed).ok(), `completing the step was answered ${(await completed).status()}: ${await (await completed).text()}`);
  await eventually(async () => (await stepB.locator(".facts").textContent()).includes("Klar"),
    "B's instance page does not show the application step as done");
  check(await b.getByRole("group", { name: `Åtgärder: ${FORM}` }).count() === 0, "B's page still offers the completed step's actions");
  check(await b.evaluate(() => window.speglaNoReload === true), "B's page was loaded again");
  await screenshot(b, "instance-live");

  // A comment on the step from B's timeline reaches A's instance page.
  const stepCommentsB = stepB.locator("details.step-comments");
  await stepCommentsB.locator("summary").click();
  await stepCommentsB.getByRole("textbox", { name: /^Ny kommentar/ }).fill("Ansökan är klar, tack!");
  await stepCommentsB.getByRole("button", { name: /^Skicka/ }).click();
  await stepCommentsB.getByText("Ansökan är klar, tack!").waitFor();
  const stepA = a.locator("li.step").filter({ has: a.getByRole("heading", { level: 4, name: FORM }) });
  await stepA.locator("details.step-comments summary").getByText("Kommentarer (1)").waitFor()
    .catch(() => { throw new Error("A's timeline does not count B's comment on the step"); });

  // What the pages saved is what the server has.
  const teacher = await Api.signIn(server.url, people.teacher.username, PASSWORD);
  const form = await teacher.call("GET", `/api/instances/${id}/forms/ansokan`);
  const value = (fid) => form.fields.find((f) => f.id === fid)?.value;
  check(value("enhet") === "Ytterbyskolan", `server: enhet is ${JSON.stringify(value("enhet"))}`);
  check(value("arbetslag_namn") === "Arbetslag 4–6", `server: arbetslag_namn is ${JSON.stringify(value("arbetslag_namn"))}`);
  check(value("observationsomrade_onskat") === sameB, `server: observationsomrade_onskat is ${JSON.stringify(value("observationsomrade_onskat"))}`);
  check(value("onskade_datum") === offlineText, `server: onskade_datum is ${JSON.stringify(value("onskade_datum"))}`);
  for (const [who, page] of [["A", a], ["B", b]]) check(page.problems.length === 0, `${who}: ${page.problems.join("; ")}`);
});
