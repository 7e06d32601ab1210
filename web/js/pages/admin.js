// Administration (/admin/:section): workflows (upload with problems beside their lines), municipalities,
// units, users and observer pools. The server decides what each role may do; forms it would refuse are
// not offered.
import * as api from "../api.js";
import { h, show, announce, formatDate } from "../dom.js";
import { t, extend } from "../i18n.js";

extend("sv", {
  a_processes: "Processer", a_municipalities: "Kommuner", a_units: "Enheter", a_users: "Användare", a_pool: "Observatörspool",
  a_sections: "Administrationens delar", a_installed: "Installerade processer", a_id: "Id", a_title: "Namn", a_versions: "Versioner",
  a_latest: "senaste", a_preview: "Visa", a_upload: "Ladda upp en process", a_file: "XML-fil", a_or_paste: "eller klistra in XML",
  a_install: "Installera", a_templates: "En process som hänvisar till en mall som saknas på servern får ett fel vid uppladdningen: ladda upp mallen under Mallar först.",
  a_templates_tab: "Mallar", a_templates_installed: "Mallar på servern", a_tpl_path: "Sökväg", a_tpl_size: "Storlek",
  a_tpl_sha: "SHA-256", a_tpl_upload: "Ladda upp en mall", a_tpl_file: "Word-fil (.docx)", a_tpl_send: "Ladda upp",
  a_tpl_path_help: "Där mallen hamnar, till exempel ku8/ansokan.docx: bokstäver a–z, siffror, - och _, slutar på .docx. En process hänvisar till mallen med den här sökvägen.",
  a_tpl_none: "Inga mallar ännu.", a_tpl_choose_file: "Välj en .docx-fil.", a_tpl_bad_path: "Sökvägen måste sluta på .docx.",
  a_tpl_ok: "Uppladdad:", a_tpl_replaced: "ersatte den tidigare mallen", a_tpl_problems: "problem i mallen – inget sparades",
  a_problems: "problem i definitionen – inget installerades", a_line: "Rad", a_column: "kolumn", a_source: "Den uppladdade definitionen",
  a_ok_new: "Installerad:", a_ok_same: "Redan installerad (samma text):", a_version: "version", a_roles: "Roller", a_forms: "Formulär",
  a_phases: "Faser och steg", a_name: "Namn", a_network: "Nätverk", a_create: "Lägg till", a_save: "Spara", a_edit: "Ändra",
  a_saved: "Sparat.", a_created: "Tillagt.", a_kind: "Typ", a_skola: "Skola", a_forskola: "Förskola", a_municipality: "Kommun",
  a_none: "Ingen", a_username: "Användarnamn", a_email: "E-post", a_role: "Global roll", a_password: "Lösenord (minst 10 tecken)",
  a_new_password: "Nytt lösenord (lämna tomt för att behålla)", a_remove: "Ta bort", a_removed: "Borttagen.", a_add_observer: "Lägg till observatör",
  a_pool_of: "Observatörer i", a_empty: "Inga ännu.", a_choose: "Välj…", a_error: "Det gick inte:",
  role_administrator: "Administratör", role_utvecklingsledare: "Utvecklingsledare", role_forvaltning: "Förvaltning", role_personal: "Personal",
});
extend("en", {
  a_processes: "Processes", a_municipalities: "Municipalities", a_units: "Units", a_users: "Users", a_pool: "Observer pool",
  a_sections: "Administration sections", a_installed: "Installed processes", a_id: "Id", a_title: "Name", a_versions: "Versions",
  a_latest: "latest", a_preview: "Show", a_upload: "Upload a process", a_file: "XML file", a_or_paste: "or paste XML",
  a_install: "Install", a_templates: "A process that refers to a template missing on the server gets a problem when uploaded: upload the template under Templates first.",
  a_templates_tab: "Templates", a_templates_installed: "Templates on the server", a_tpl_path: "Path", a_tpl_size: "Size",
  a_tpl_sha: "SHA-256", a_tpl_upload: "Upload a template", a_tpl_file: "Word file (.docx)", a_tpl_send: "Upload",
  a_tpl_path_help: "Where the template goes, e.g. ku8/ansokan.docx: letters a–z, digits, - and _, ending in .docx. A process refers to the template by this path.",
  a_tpl_none: "No templates yet.", a_tpl_choose_file: "Choose a .docx file.", a_tpl_bad_path: "The path must end in .docx.",
  a_tpl_ok: "Uploaded:", a_tpl_replaced: "replaced the earlier template", a_tpl_problems: "problems in the template – nothing was saved",
  a_problems: "problems in the definition – nothing was installed", a_line: "Line", a_column: "column", a_source: "The uploaded definition",
  a_ok_new: "Installed:", a_ok_same: "Already installed (same text):", a_version: "version", a_roles: "Roles", a_forms: "Forms",
  a_phases: "Phases and steps", a_name: "Name", a_network: "Network", a_create: "Add", a_save: "Save", a_edit: "Edit",
  a_saved: "Saved.", a_created: "Added.", a_kind: "Kind", a_skola: "School", a_forskola: "Preschool", a_municipality: "Municipality",
  a_none: "None", a_username: "User name", a_email: "Email", a_role: "Global role", a_password: "Password (at least 10 characters)",
  a_new_password: "New password (leave empty to keep)", a_remove: "Remove", a_removed: "Removed.", a_add_observer: "Add observer",
  a_pool_of: "Observers in", a_empty: "None yet.", a_choose: "Choose…", a_error: "That did not work:",
  role_administrator: "Administrator", role_utvecklingsledare: "Development lead", role_forvaltning: "Management", role_personal: "Staff",
});

// [slug, title key, draw, only for administrators]
const SECTIONS = [
  ["processer", "a_processes", drawProcesses],
  ["mallar", "a_templates_tab", drawTemplates, true],
  ["kommuner", "a_municipalities", drawMunicipalities],
  ["enheter", "a_units", drawUnits],
  ["anvandare", "a_users", drawUsers],
  ["observatorer", "a_pool", drawPool],
];
const ROLES = ["administrator", "utvecklingsledare", "forvaltning", "personal"];
let uid = 0;

export async function render(main, params, context) {
  const admin = context.user?.global_role === "administrator";
  const wanted = params.section || (admin ? "processer" : "enheter");
  const sections = SECTIONS.filter(([, , , adminOnly]) => admin || !adminOnly);
  const section = sections.find(([slug]) => slug === wanted);
  if (!section) {
    show(main, h("h1", {}, t("not_found")));
    return;
  }
  const body = h("div");
  show(main, h("h1", {}, `${t("admin")}: ${t(section[1])}`),
    h("nav", { class: "tabs", "aria-label": t("a_sections") }, h("ul", {}, sections.map(([slug, key]) =>
      h("li", {}, h("a", { href: `/admin/${slug}`, "aria-current": slug === wanted ? "page" : false }, t(key)))))),
    body);
  await section[2](body, { admin, user: context.user });
}

// --- shared helpers ---

const field = (label, control, help) => {
  const id = control.id || (control.id = `f${++uid}`);
  return h("div", { class: "field" }, h("label", { for: id }, label), help ? h("p", { class: "help" }, help) : null, control);
};
const input = (name, attrs = {}) => h("input", { name, ...attrs });

// A problem from the API as an alert with every error listed.
function problem(error) {
  const list = error.errors || [];
  return h("div", { class: "errors", role: "alert" }, `${t("a_error")} ${error.message}`,
    list.length > 1 || (list[0] && list[0].message !== error.message)
      ? h("ul", {}, list.map((e) => h("li", {}, e.field ? `${e.field}: ${e.message}` : e.message))) : null);
}

// A form whose submit calls `action(values)`; shows the outcome in its own status area.
function actionForm(title, controls, submitLabel, action, { done = t("a_saved") } = {}) {
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "admin-form" }, title ? h("h3", {}, title) : null, controls,
    h("button", { type: "submit" }, submitLabel), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await action(Object.fromEntries(new FormData(form)), form);
      show(status, h("p", { class: "saved", role: "status" }, done));
    } catch (error) {
      show(status, problem(error));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

const municipalitySelect = (municipalities, name, selected, { none = false, required = false } = {}) =>
  h("select", { name, required },
    none ? h("option", { value: "" }, t("a_none")) : h("option", { value: "" }, t("a_choose")),
    municipalities.map((m) => h("option", { value: m.id, selected: String(m.id) === String(selected ?? "") }, m.name)));

// --- Processer ---

async function drawProcesses(body, { admin }) {
  const list = h("div");
  const result = h("div", { id: "upload-result", tabindex: "-1" });
  const preview = h("div");
  async function refresh() {
    const { items } = await api.get("/api/workflows");
    const byId = new Map();
    for (const w of items) (byId.get(w.id) || byId.set(w.id, []).get(w.id)).push(w);
    show(list, h("table", {}, h("caption", {}, t("a_installed")),
      h("thead", {}, h("tr", {}, [t("a_id"), t("a_title"), t("a_versions"), ""].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, [...byId].map(([id, versions]) => {
        const latest = versions.find((v) => v.latest) || versions[versions.length - 1];
        return h("tr", {}, h("td", {}, h("code", {}, id)), h("td", {}, latest.title),
          h("td", {}, versions.map((v, i) => [i ? ", " : "", h("span", { title: `${formatDate(v.installed_at)} ${v.installed_by}` },
            `v${v.version}${v.latest ? ` (${t("a_latest")})` : ""}`)])),
          h("td", {}, h("button", { type: "button", class: "secondary", "aria-label": `${t("a_preview")} ${latest.title}`,
            onclick: () => showPreview(preview, id, latest.version) }, t("a_preview"))));
      }))));
  }
  await refresh();
  const parts = [h("h2", {}, t("a_installed")), list, preview];
  if (admin) {
    const file = h("input", { type: "file", accept: ".xml,application/xml,text/xml", name: "file" });
    const text = h("textarea", { name: "xml", rows: 10, spellcheck: "false", class: "code" });
    const form = h("form", { class: "card", "aria-labelledby": "upload-h" },
      h("h2", { id: "upload-h" }, t("a_upload")),
      h("p", { class: "help" }, t("a_templates")),
      field(t("a_file"), file), field(t("a_or_paste"), text),
      h("button", { type: "submit" }, t("a_install")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const xml = file.files[0] ? await file.files[0].text() : text.value;
      if (!xml.trim()) return;
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        const installed = await api.request("POST", "/api/workflows", { body: xml, headers: { "Content-Type": "application/xml" } });
        show(result, h("p", { class: "saved", role: "status" },
          `${installed.already_installed ? t("a_ok_same") : t("a_ok_new")} ${installed.id}, ${t("a_version")} ${installed.version}`));
        await refresh();
        await showPreview(preview, installed.id, installed.version);
      } catch (error) {
        show(result, error instanceof api.ApiError && error.status === 422 ? drawProblems(xml, error) : problem(error));
        result.focus();
      } finally {
        button.disabled = false;
      }
    });
    parts.push(form, result);
  }
  show(body, parts);
}

// Every problem listed at the top with a link to its line, and again right after that line of the XML.
function drawProblems(xml, error) {
  const problems = (error.errors || []).slice().sort((a, b) => (a.line || 0) - (b.line || 0) || (a.column || 0) - (b.column || 0));
  const lines = xml.split(/\r?\n/);
  const byLine = new Map();
  for (const p of problems) if (p.line >= 1 && p.line <= lines.length) (byLine.get(p.line) || byLine.set(p.line, []).get(p.line)).push(p);
  const where = (p) => (p.line ? `${t("a_line")} ${p.line}${p.column ? `, ${t("a_column")} ${p.column}` : ""}` : "");
  const jump = (event, line) => {
    // Handled here: the router would otherwise treat the link as a page change.
    event.preventDefault();
    event.stopPropagation();
    const target = document.getElementById(`xml-line-${line}`);
    if (target) {
      target.scrollIntoView({ block: "center" });
      target.focus();
    }
  };
  return h("div", {},
    h("div", { class: "errors card", role: "alert" },
      h("h2", {}, `${problems.length} ${t("a_problems")}`),
      h("ol", {}, problems.map((p) => h("li", {},
        byLine.has(p.line) ? h("a", { href: `#xml-line-${p.line}`, onclick: (e) => jump(e, p.line) }, where(p)) : where(p),
        where(p) ? ": " : "", p.message)))),
    h("h2", {}, t("a_source")),
    h("ol", { class: "xml-source" }, lines.map((line, i) => {
      const n = i + 1;
      const here = byLine.get(n);
      return h("li", { id: `xml-line-${n}`, tabindex: "-1", class: here ? "has-problem" : false },
        h("span", { class: "ln", "aria-hidden": "true" }, n), h("code", {}, line || " "),
        here ? h("ul", { class: "xml-problems" }, here.map((p) => h("li", {}, `${where(p)}: ${p.message}`))) : null);
    })));
}

// The definition's roles, forms, phases and (from its XML) each phase's steps.
async function showPreview(target, id, version) {
  const def = await api.get(`/api/workflows/${encodeURIComponent(id)}?version=${version}`);
  const doc = new DOMParser().parseFromString(def.xml || "", "application/xml");
  const steps = new Map();
  for (const phase of doc.getElementsByTagNameNS("*", "phase")) {
    steps.set(phase.getAttribute("id"), [...phase.getElementsByTagNameNS("*", "step")].map((s) => s.getAttribute("label") || s.getAttribute("id")));
  }
  show(target, h("section", { class: "card", "aria-labelledby": "preview-h", tabindex: "-1" },
    h("h2", { id: "preview-h" }, `${def.title} (${def.id}, ${t("a_version")} ${def.version})`),
    h("h3", {}, t("a_roles")), h("ul", {}, def.roles.map((r) => h("li", {}, r.label, " ", h("code", {}, r.id)))),
    h("h3", {}, t("a_forms")), h("ul", {}, def.forms.map((f) => h("li", {}, f.label))),
    h("h3", {}, t("a_phases")), h("ol", {}, def.phases.map((p) => h("li", {}, h("strong", {}, p.label),
      (steps.get(p.id) || []).length ? h("ol", {}, steps.get(p.id).map((s) => h("li", {}, s))) : null)))));
  announce(def.title);
}

// --- Mallar ---

const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

// Sends a template's bytes as they are: api.request would JSON-encode a File. Same session cookie and
// CSRF token as api.js (which keeps the token in sessionStorage "spegla.csrf"); errors as ApiError.
async function uploadTemplate(path, file) {
  const response = await fetch(`/api/templates?path=${encodeURIComponent(path)}`, {
    method: "POST", credentials: "same-origin", body: file,
    headers: { "Content-Type": DOCX, "X-CSRF-Token": sessionStorage.getItem("spegla.csrf") || "" },
  });
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json() : null;
  if (!response.ok) throw new api.ApiError(response.status, data);
  return data;
}

// A file name as a template path may spell it: å, ä, ö and é as a, a, o, e; anything else not a–z,
// digits, '-', '_' or '.' as '-'.
function templateName(name) {
  const plain = name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "");
  return /\.docx$/i.test(plain) ? plain.replace(/\.docx$/i, ".docx") : `${plain || "mall"}.docx`;
}

const size = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} kB`);

async function drawTemplates(body) {
  const list = h("div");
  const result = h("div", { id: "template-result", tabindex: "-1" });
  async function refresh() {
    const { items } = await api.get("/api/templates");
    show(list, items.length === 0 ? h("p", {}, t("a_tpl_none")) : h("div", { class: "table-wrap" },
      h("table", { class: "templates-table" }, h("caption", {}, t("a_templates_installed")),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("a_tpl_path")), h("th", { scope: "col", class: "num" }, t("a_tpl_size")),
          h("th", { scope: "col" }, t("a_tpl_sha")))),
        h("tbody", {}, items.map((item) => h("tr", {}, h("td", {}, h("code", {}, item.path)),
          h("td", { class: "num" }, size(item.size)),
          h("td", {}, h("code", { title: item.sha256 }, `${(item.sha256 || "").slice(0, 12)}…`))))))));
  }
  await refresh();

  const file = h("input", { type: "file", name: "file", accept: `.docx,${DOCX}`, required: true, "aria-required": "true" });
  const path = h("input", { type: "text", name: "path", required: true, "aria-required": "true", spellcheck: "false",
    autocomplete: "off", value: "" });
  // The path follows the chosen file ("uppladdade/<file name>") until the user writes one of their own.
  let pathTouched = false;
  path.addEventListener("input", () => { pathTouched = true; });
  file.addEventListener("change", () => {
    if (file.files[0] && (!pathTouched || !path.value.trim())) path.value = `uppladdade/${templateName(file.files[0].name)}`;
  });
  const button = h("button", { type: "submit" }, t("a_tpl_send"));
  const form = h("form", { class: "card", "aria-labelledby": "template-upload-h", novalidate: true },
    h("h2", { id: "template-upload-h" }, t("a_tpl_upload")),
    field(t("a_tpl_file"), file), field(t("a_tpl_path"), path, t("a_tpl_path_help")), button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    const where = path.value.trim();
    if (!chosen || !where.endsWith(".docx")) {
      const control = chosen ? path : file;
      control.setAttribute("aria-invalid", "true");
      show(result, h("div", { class: "errors", role: "alert" }, chosen ? t("a_tpl_bad_path") : t("a_tpl_choose_file")));
      control.focus();
      return;
    }
    file.removeAttribute("aria-invalid");
    path.removeAttribute("aria-invalid");
    button.disabled = true;
    try {
      const saved = await uploadTemplate(where, chosen);
      show(result, h("p", { class: "saved", role: "status" },
        `${t("a_tpl_ok")} ${saved.path} (${size(saved.size)})${saved.replaced ? `, ${t("a_tpl_replaced")}` : ""}.`));
      await refresh();
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 401) throw error;
      // 422: every problem the template has, each on its own line.
      const problems = error instanceof api.ApiError ? error.errors : [];
      show(result, error instanceof api.ApiError && error.status === 422 && problems.length
        ? h("div", { class: "errors card", role: "alert" },
          h("h2", {}, `${problems.length} ${t("a_tpl_problems")}`),
          h("ul", {}, problems.map((p) => h("li", {}, p.field && p.field !== "template" ? `${p.field}: ${p.message}` : p.message))))
        : problem(error));
      result.focus();
    } finally {
      button.disabled = false;
    }
  });
  show(body, h("h2", {}, t("a_templates_installed")), list, form, result);
}

// --- Kommuner ---

async function drawMunicipalities(body, { admin }) {
  const { items } = await api.get("/api/municipalities?limit=500");
  const rows = items.map((m) => h("tr", {}, h("td", {}, m.name), h("td", {}, m.network || ""),
    admin ? h("td", {}, h("details", {}, h("summary", {}, `${t("a_edit")} ${m.name}`),
      actionForm("", [field(t("a_name"), input("name", { value: m.name, required: true })),
        field(t("a_network"), input("network", { value: m.network || "" }))], t("a_save"),
      async (v) => { await api.patch(`/api/municipalities/${m.id}`, { name: v.name, network: v.network }); }))) : null));
  show(body, h("table", {}, h("caption", {}, t("a_municipalities")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("a_name")), h("th", { scope: "col" }, t("a_network")), admin ? h("th", { scope: "col" }, t("a_edit")) : null)),
    h("tbody", {}, rows)),
  admin ? actionForm(t("a_create"), [field(t("a_name"), input("name", { required: true })), field(t("a_network"), input("network"))],
    t("a_create"), async (v, form) => {
      await api.post("/api/municipalities", { name: v.name, network: v.network });
      form.reset();
      await drawMunicipalities(body, { admin });
    }, { done: t("a_created") }) : null);
}

// --- Enheter ---

async function drawUnits(body, context) {
  const { user, admin } = context;
  const [{ items: municipalities }, { items: units }] = await Promise.all([
    api.get("/api/municipalities?limit=500"),
    api.get("/api/units?limit=500" + (!admin && user.municipality_id ? `&municipality_id=${user.municipality_id}` : ""))]);
  const name = new Map(municipalities.map((m) => [m.id, m.name]));
  const mayEdit = (u) => admin || !user.municipality_id || u.municipality_id === user.municipality_id;
  const kind = (selected) => h("select", { name: "kind" }, ["skola", "forskola"].map((k) => h("option", { value: k, selected: k === selected }, t(`a_${k}`))));
  show(body, h("table", {}, h("caption", {}, t("a_units")),
    h("thead", {}, h("tr", {}, [t("a_name"), t("a_kind"), t("a_municipality"), t("a_edit")].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, units.map((u) => h("tr", {}, h("td", {}, u.name), h("td", {}, t(`a_${u.kind}`)), h("td", {}, name.get(u.municipality_id) || ""),
      h("td", {}, mayEdit(u) ? h("details", {}, h("summary", {}, `${t("a_edit")} ${u.name}`),
        actionForm("", [field(t("a_name"), input("name", { value: u.name, required: true })), field(t("a_kind"), kind(u.kind))], t("a_save"),
          async (v) => { await api.patch(`/api/units/${u.id}`, { name: v.name, kind: v.kind }); })) : null))))),
  actionForm(t("a_create"), [
    field(t("a_municipality"), municipalitySelect(admin || !user.municipality_id ? municipalities : municipalities.filter((m) => m.id === user.municipality_id),
      "municipality_id", user.municipality_id, { required: true })),
    field(t("a_name"), input("name", { required: true })), field(t("a_kind"), kind("skola"))],
  t("a_create"), async (v) => {
    await api.post("/api/units", { municipality_id: Number(v.municipality_id), name: v.name, kind: v.kind });
    await drawUnits(body, context);
  }, { done: t("a_created") }));
}

// --- Användare ---

async function drawUsers(body, context) {
  const { admin } = context;
  const [{ items: municipalities }, { items: users }] = await Promise.all([
    api.get("/api/municipalities?limit=500"), api.get("/api/users?limit=500")]);
  const name = new Map(municipalities.map((m) => [m.id, m.name]));
  const roleSelect = (selected) => h("select", { name: "global_role" }, ROLES.map((r) => h("option", { value: r, selected: r === selected }, t(`role_${r}`))));
  show(body, h("table", {}, h("caption", {}, t("a_users")),
    h("thead", {}, h("tr", {}, [t("a_username"), t("a_name"), t("a_email"), t("a_municipality"), t("a_role"), admin ? t("a_edit") : null]
      .filter(Boolean).map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, users.map((u) => h("tr", {}, h("td", {}, h("code", {}, u.username)), h("td", {}, u.name), h("td", {}, u.email),
      h("td", {}, name.get(u.municipality_id) || ""), h("td", {}, t(`role_${u.global_role}`)),
      admin ? h("td", {}, h("details", {}, h("summary", {}, `${t("a_edit")} ${u.username}`),
        actionForm("", [field(t("a_name"), input("name", { value: u.name, required: true })),
          field(t("a_email"), input("email", { type: "email", value: u.email || "" })),
          field(t("a_municipality"), municipalitySelect(municipalities, "municipality_id", u.municipality_id, { none: true })),
          field(t("a_role"), roleSelect(u.global_role)),
          field(t("a_new_password"), input("password", { type: "password", minlength: 10, autocomplete: "new-password" }))], t("a_save"),
        async (v) => {
          const patch = { name: v.name, email: v.email, global_role: v.global_role, municipality_id: v.municipality_id ? Number(v.municipality_id) : null };
          if (v.password) patch.password = v.password;
          await api.patch(`/api/users/${encodeURIComponent(u.username)}`, patch);
        }))) : null)))),
  admin ? actionForm(t("a_create"), [
    field(t("a_username"), input("username", { required: true, autocomplete: "off" })),
    field(t("a_name"), input("name", { required: true })),
    field(t("a_email"), input("email", { type: "email" })),
    field(t("a_municipality"), municipalitySelect(municipalities, "municipality_id", "", { none: true })),
    field(t("a_role"), roleSelect("personal")),
    field(t("a_password"), input("password", { type: "password", minlength: 10, autocomplete: "new-password" }))],
  t("a_create"), async (v) => {
    const user = { username: v.username, name: v.name, global_role: v.global_role };
    if (v.email) user.email = v.email;
    if (v.municipality_id) user.municipality_id = Number(v.municipality_id);
    if (v.password) user.password = v.password;
    await api.post("/api/users", user);
    await drawUsers(body, context);
  }, { done: t("a_created") }) : null);
}

// --- Observatörspool ---

async function drawPool(body, context, chosen) {
  const { user, admin } = context;
  const [{ items: all }, { items: users }] = await Promise.all([api.get("/api/municipalities?limit=500"), api.get("/api/users?limit=500")]);
  const municipalities = admin || !user.municipality_id ? all : all.filter((m) => m.id === user.municipality_id);
  const current = chosen ?? user.municipality_id ?? municipalities[0]?.id;
  const picker = municipalitySelect(municipalities, "m", current);
  picker.addEventListener("change", () => picker.value && drawPool(body, context, Number(picker.value)));
  const parts = [field(t("a_municipality"), picker)];
  if (current) {
    const m = all.find((x) => x.id === current);
    const { items: pool } = await api.get(`/api/municipalities/${current}/observer-pool`);
    const status = h("div", { "aria-live": "polite" });
    parts.push(h("h2", {}, `${t("a_pool_of")} ${m?.name || ""}`),
      pool.length === 0 ? h("p", {}, t("a_empty")) : h("ul", { class: "pool" }, pool.map((p) => h("li", {}, `${p.name} (${p.username}) `,
        h("button", { type: "button", class: "secondary", "aria-label": `${t("a_remove")} ${p.name}`, onclick: async () => {
          try {
            await api.del(`/api/municipalities/${current}/observer-pool/${encodeURIComponent(p.username)}`);
            await drawPool(body, context, current);
            announce(t("a_removed"));
          } catch (error) {
            show(status, problem(error));
          }
        } }, t("a_remove"))))),
      status,
      actionForm(t("a_add_observer"), [field(t("a_username"), h("select", { name: "username", required: true }, h("option", { value: "" }, t("a_choose")),
        users.filter((u) => !pool.some((p) => p.username === u.username)).map((u) => h("option", { value: u.username }, `${u.name} (${u.username})`))))],
      t("a_create"), async (v) => {
        await api.post(`/api/municipalities/${current}/observer-pool`, { username: v.username });
        await drawPool(body, context, current);
      }, { done: t("a_created") }));
  }
  show(body, parts);
}
