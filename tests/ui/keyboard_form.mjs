// ui.keyboard_form: the arbetslag teacher signs in, finds the task and fills the application with the
// keyboard alone (Tab, Shift+Tab, Enter, Space, and typing into text boxes). After every key that moves
// focus, the focused element must be a real control, inside the window, drawn with a visible focus
// indicator; on every page every control must have an accessible name (the browser's accessibility tree).
import { journey, screenshot, check, people, PASSWORD, Api } from "./harness.mjs";

const CONTROL_ROLES = new Set(["textbox", "searchbox", "combobox", "listbox", "checkbox", "radio", "spinbutton",
  "slider", "switch", "button", "link", "tab", "menuitem", "DisclosureTriangle"]);

// What has focus, and whether a sighted keyboard user can see it.
async function focused(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body || e === document.documentElement) return { control: false, what: "the page (body)" };
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    const text = (node) => (node?.textContent || "").replace(/\s+/g, " ").trim();
    const labelled = e.getAttribute("aria-labelledby");
    const name = e.getAttribute("aria-label") || (labelled ? labelled.split(/\s+/).map((id) => text(document.getElementById(id))).join(" ") : "") ||
      (e.labels && e.labels.length ? text(e.labels[0]) : "") || text(e);
    const legend = text(e.closest("fieldset")?.querySelector("legend"));
    const tag = e.tagName.toLowerCase();
    const native = ["input", "select", "textarea", "button", "summary"].includes(tag) || (tag === "a" && e.hasAttribute("href"));
    const role = e.getAttribute("role");
    const control = !e.disabled && (native || (e.tabIndex >= 0 && ["button", "link", "checkbox", "radio", "tab", "switch", "textbox"].includes(role)));
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1;
    const shadow = style.boxShadow && style.boxShadow !== "none";
    return {
      control, tag, type: e.type || "", name, legend, href: e.getAttribute("href") || "",
      what: `<${tag}${e.type ? ` type=${e.type}` : ""}> "${name}"`,
      indicator: e.matches(":focus-visible") && (outline || shadow),
      inView: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
    };
  });
}

// The router moves focus to the new page's heading once it has drawn it; keys pressed before that would
// start from the old page.
async function headingFocused(page) {
  await page.waitForFunction(() => document.activeElement?.tagName === "H1");
}

let presses = 0;
async function press(page, key) {
  await page.keyboard.press(key);
  presses++;
  if (!["Tab", "Shift+Tab"].includes(key)) return null;
  const f = await focused(page);
  check(f.control, `${page.url()}: after ${key} focus is on ${f.what}, not on a control`);
  check(f.inView, `${page.url()}: after ${key} the focused ${f.what} is outside the window`);
  check(f.indicator, `${page.url()}: after ${key} the focused ${f.what} has no visible focus indicator`);
  return f;
}

// Tabs forward (or back) until `wanted` holds for the focused element; fails after `limit` keys.
async function tabTo(page, wanted, description, { back = false, limit = 60 } = {}) {
  for (let i = 0; i < limit; i++) {
    const f = await press(page, back ? "Shift+Tab" : "Tab");
    if (wanted(f)) return f;
  }
  throw new Error(`${page.url()}: ${limit} presses of ${back ? "Shift+Tab" : "Tab"} did not reach ${description}`);
}

// Every control in the accessibility tree has a name.
async function everyControlNamed(page) {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = await cdp.send("Accessibility.getFullAXTree");
  await cdp.detach();
  const nameless = nodes.filter((n) => !n.ignored && CONTROL_ROLES.has(n.role?.value) && !String(n.name?.value || "").trim());
  check(nameless.length === 0, `${page.url()}: controls without an accessible name: ` +
    nameless.map((n) => `${n.role.value}${n.properties?.find((p) => p.name === "focusable") ? " (focusable)" : ""}`).join(", "));
  return nodes.filter((n) => !n.ignored && CONTROL_ROLES.has(n.role?.value)).length;
}

const startsWith = (label) => (f) => f.name.replace(/\s*\*.*$/, "") === label;

await journey("keyboard_form", async ({ server, open, instance }) => {
  const id = instance.id;
  const page = await open();

  // ---- Sign in -----------------------------------------------------------------------------------
  await page.goto("/logga-in");
  await page.getByRole("heading", { level: 1, name: "Logga in" }).waitFor();
  await headingFocused(page);
  await everyControlNamed(page);
  await tabTo(page, (f) => f.tag === "input" && f.name === "Användarnamn", "the user name");
  await page.keyboard.type(people.teacher.username);
  const pw = await press(page, "Tab");
  check(pw.name === "Lösenord", `login page: Tab from the user name goes to ${pw.what}, not to the password`);
  await page.keyboard.type(PASSWORD);
  await press(page, "Enter");
  await page.getByRole("heading", { level: 1, name: "Mina uppgifter" }).waitFor();
  await headingFocused(page);

  // ---- The task, the instance, the form ------------------------------------------------------------
  await everyControlNamed(page);
  await tabTo(page, (f) => f.tag === "a" && f.name === "Ansökan om lärande besök", 'the task "Ansökan om lärande besök"');
  await press(page, "Enter");
  await page.getByRole("heading", { level: 1, name: instance.title }).waitFor();
  await headingFocused(page);
  await page.getByRole("region", { name: "Historik" }).getByRole("table").waitFor();
  await everyControlNamed(page);
  await tabTo(page, (f) => f.tag === "a" && f.href.endsWith(`/formular/ansokan`), "the link to the application form");
  await press(page, "Enter");
  await page.getByRole("heading", { level: 1, name: "Ansökan om lärande besök" }).waitFor();
  await headingFocused(page);
  check(await everyControlNamed(page) >= 12, "form page: fewer controls in the accessibility tree than the application has");

  // ---- Fill the application ---------------------------------------------------------------------------
  const typed = [
    ["Förskola/skola", "Ytterbyskolan"],
    ["Arbetslag", "Arbetslag 4–6"],
    ["Kontaktperson", "Johan Ek"],
    ["Kontaktpersonens e-postadress", "johan.ek@kungalv.se"],
    ["Problemformulering", "Många elever i årskurs 5 väntar på att läraren ska ge svaret i matematik. Vi vill förstå varför."],
    ["Antal barn/elever i gruppen", "48"],
  ];
  const checked = [["Verksamhetsformer som berörs", "Grundskola åk 4–6"], ["Verksamhetsformer som berörs", "Fritidshem"],
    ["Har barn, elever och föräldrar informerats om observationerna?", "Ja"]];
  const todo = new Map([...typed.map(([label, value]) => [label, value]), ...checked.map(([group, option]) => [`${group} / ${option}`, " "])]);
  for (let i = 0; todo.size > 0; i++) {
    check(i < 80, `form page: Tab did not reach ${[...todo.keys()].join(", ")}`);
    const f = await press(page, "Tab");
    const label = f.name.replace(/\s*\*.*$/, "");
    if (["checkbox", "radio"].includes(f.type)) {
      const key = `${f.legend.replace(/\s*\*.*$/, "")} / ${label}`;
      if (todo.has(key)) {
        todo.delete(key);
        await press(page, "Space");
        check(await page.evaluate(() => document.activeElement.checked), `form page: Space did not check ${f.what}`);
      }
    } else if (todo.has(label) && ["input", "textarea"].includes(f.tag)) {
      await page.keyboard.type(todo.get(label));
      todo.delete(label);
    }
  }
  // Tab on to "Spara nu" and press it; the page says the changes are saved.
  await tabTo(page, (f) => f.tag === "button" && f.name === "Spara nu", 'the button "Spara nu"');
  await press(page, "Enter");
  const status = page.getByRole("status").filter({ hasText: /^Sparat/ });
  await status.waitFor().catch(() => { throw new Error('form page: after "Spara nu" the status does not say "Sparat"'); });
  await screenshot(page, "form-keyboard");

  // Back through the form with Shift+Tab: every stop is still a visible, named control.
  const back = await tabTo(page, startsWith("Antal barn/elever i gruppen"), "the number of pupils", { back: true });
  check(back.tag === "input", "form page: Shift+Tab reached the number of pupils on something that is not an input");
  await tabTo(page, startsWith("Förskola/skola"), "the first field", { back: true });

  // What the keyboard wrote is what the server has, with the answers' types.
  const teacher = await Api.signIn(server.url, people.teacher.username, PASSWORD);
  const form = await teacher.call("GET", `/api/instances/${id}/forms/ansokan`);
  const value = (fid) => form.fields.find((f) => f.id === fid)?.value;
  check(value("enhet") === "Ytterbyskolan", `server: enhet is ${JSON.stringify(value("enhet"))}`);
  check(value("antal_barn") === 48, `server: antal_barn is ${JSON.stringify(value("antal_barn"))}`);
  check(JSON.stringify(value("verksamhetsformer")) === JSON.stringify(["grundskola_46", "fritidshem"]),
    `server: verksamhetsformer is ${JSON.stringify(value("verksamhetsformer"))}`);
  check(value("informerat_foraldrar") === true, `server: informerat_foraldrar is ${JSON.stringify(value("informerat_foraldrar"))}`);
  check(page.problems.length === 0, page.problems.join("; "));
  console.log(`# ${presses} keys pressed`);
});
