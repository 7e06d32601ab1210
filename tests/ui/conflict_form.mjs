// ui.conflict_form: two browsers edit the same form. The teacher writes the problem statement in one; in
// the other, whose save of the same field crosses it, the same field is changed: the page shows both texts side by
// side, the teacher merges them, edits and saves, and the first browser sees the merged text after a
// reload. Then a draft: a change whose save never arrives is kept in the browser and offered again when
// the form is opened anew, and restoring it saves it.
import { journey, check, people, signIn, saved, field, fillText, screenshot, Api, PASSWORD } from "./harness.mjs";

await journey("conflict_form", async ({ server, open, instance }) => {
  const formUrl = `/processer/${instance.id}/formular/ansokan`;
  const a = await open();
  const b = await open();
  for (const page of [a, b]) {
    await signIn(page, people.teacher.username);
    await page.goto(formUrl);
    await page.getByRole("heading", { level: 1, name: "Ansökan om lärande besök" }).waitFor();
  }

  // ---- A saves first; B, still at the old version, gets both texts side by side -------------------
  const textA = "Eleverna i årskurs 5 väntar på att läraren ska ge svaret i matematik.";
  const textB = "Vi vill förstå hur eleverna kan bli mer delaktiga i sitt eget lärande.";
  // B's page follows A's saves live, so B's save is held on its way until A's has been answered: B
  // started from the old version, and the two saves cross.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await b.route(/\/forms\/ansokan/, async (route) => {
    if (route.request().method() === "PATCH") await held;
    await route.continue();
  });
  const refused = b.waitForResponse((r) => r.request().method() === "PATCH" && /\/forms\/ansokan/.test(r.url()));
  await field(b, "Problemformulering").fill(textB);
  await field(b, "Problemformulering").blur();
  await fillText(a, "Problemformulering", textA);
  release();
  check((await refused).status() === 409, `B's save was answered ${(await refused).status()}, not 409`);
  const group = b.getByRole("group", { name: /Någon annan har ändrat fältet/ });
  await group.waitFor();
  await b.unroute(/\/forms\/ansokan/);
  const theirs = group.getByLabel(`Sparat av ${people.teacher.username}`, { exact: true });
  const mine = group.getByLabel("Ditt förslag", { exact: true });
  check(await theirs.inputValue() === textA, `"Sparat av" shows ${JSON.stringify(await theirs.inputValue())}`);
  check(await mine.inputValue() === textB, `"Ditt förslag" shows ${JSON.stringify(await mine.inputValue())}`);
  check(await group.evaluate((g) => g === document.activeElement), "focus did not move to the conflict group");
  for (const name of ["Behåll deras", "Använd mitt", "Slå ihop"]) {
    check(await group.getByRole("button", { name }).count() === 1, `no button "${name}" in the conflict group`);
  }
  await screenshot(b, "form-conflict");

  await group.getByRole("button", { name: "Slå ihop" }).click();
  const control = field(b, "Problemformulering");
  check(await control.inputValue() === `${textA}\n\n${textB}`, `"Slå ihop" put ${JSON.stringify(await control.inputValue())} in the field`);
  check(await group.count() === 0, "the conflict group is still shown after merging");
  const merged = `${textA}\n\n${textB} Båda gäller.`;
  await saved(b, async () => {
    await control.press("End");
    await control.pressSequentially(" Båda gäller.");
    await control.blur();
  }, "the merged text");

  await a.reload();
  await a.getByRole("heading", { level: 1, name: "Ansökan om lärande besök" }).waitFor();
  check(await field(a, "Problemformulering").inputValue() === merged,
    `A sees ${JSON.stringify(await field(a, "Problemformulering").inputValue())} after a reload, not the merged text`);

  // ---- A draft that never reached the server survives the page ---------------------------------
  const context = b.context();
  await b.route(/\/api\/instances\/\d+\/forms\//, (route) =>
    route.request().method() === "PATCH" ? route.abort() : route.continue());
  const aborted = b.waitForEvent("requestfailed", (r) => r.method() === "PATCH");
  await field(b, "Kontaktperson").fill("Johan Ek (utkast)");
  await field(b, "Kontaktperson").blur();
  await aborted;
  check(await b.evaluate(() => Object.keys(localStorage).some((k) => k.endsWith(":kontaktperson"))),
    "no draft of Kontaktperson in localStorage after the save failed");
  await b.close();

  const again = await context.newPage();
  again.problems = [];
  await again.goto(formUrl);
  await again.getByRole("heading", { level: 1, name: "Ansökan om lärande besök" }).waitFor();
  const offer = again.getByRole("group", { name: /Osparad ändring från .*Kontaktperson/ });
  await offer.waitFor();
  check((await offer.textContent()).includes("Johan Ek (utkast)"), "the offered draft does not show its text");
  await saved(again, () => offer.getByRole("button", { name: /Återställ/ }).click(), "the restored draft");
  check(await field(again, "Kontaktperson").inputValue() === "Johan Ek (utkast)", "the restored draft is not in the field");
  check(await again.evaluate(() => !Object.keys(localStorage).some((k) => k.startsWith("spegla.draft:"))),
    "a draft is still kept after it was saved");

  const teacher = await Api.signIn(server.url, people.teacher.username, PASSWORD);
  const form = await teacher.call("GET", `/api/instances/${instance.id}/forms/ansokan`);
  const value = (id) => form.fields.find((f) => f.id === id)?.value;
  check(value("problemformulering") === merged, `server: problemformulering is ${JSON.stringify(value("problemformulering"))}`);
  check(value("kontaktperson") === "Johan Ek (utkast)", `server: kontaktperson is ${JSON.stringify(value("kontaktperson"))}`);
  check(a.problems.length === 0, a.problems.join("; "));
});
