// Mina uppgifter: the open steps the user performs or signs off, across every instance, soonest due first;
// the open comments that mention the user (Omnämnanden), and the roles the user holds in active
// processes (Mina roller).
import * as api from "../api.js";
import { h, show, formatDate, withMentions } from "../dom.js";
import { t, extend } from "../i18n.js";
import { when } from "../comments.js";

extend("sv", {
  tk_steps: "Steg att göra", tk_mentions: "Omnämnanden", tk_no_mentions: "Ingen har nämnt dig i en öppen kommentar.",
  tk_roles: "Mina roller", tk_no_roles: "Du har inga roller i pågående processer.", tk_role: "Roll",
  tk_mentioned_by: "{who} nämnde dig", tk_in: "i", tk_about: "Gäller", tk_occurrence: "tillfälle",
  tk_open_field: "Öppna", tk_unit: "Enhet", tk_organisation_wide: "Alla processer i organisationen",
});
extend("en", {
  tk_steps: "Steps to do", tk_mentions: "Mentions", tk_no_mentions: "Nobody has mentioned you in an open comment.",
  tk_roles: "My roles", tk_no_roles: "You hold no roles in active processes.", tk_role: "Role",
  tk_mentioned_by: "{who} mentioned you", tk_in: "in", tk_about: "About", tk_occurrence: "occurrence",
  tk_open_field: "Open", tk_unit: "Unit", tk_organisation_wide: "Every process of the organisation",
});

const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");
const listOf = (answer) => (Array.isArray(answer) ? answer : answer?.items || []);
// A list the server may not offer (yet): null instead of an error, so the rest of the page shows.
const optional = (path) => api.get(path).then(listOf).catch((error) => {
  if (error instanceof api.ApiError && error.status === 401) throw error;
  return null;
});

export async function render(main) {
  const [tasks, mentions, assignments] = await Promise.all([
    api.get("/api/tasks"), optional("/api/me/mentions"), optional("/api/me/assignments")]);
  const items = listOf(tasks);
  items.sort((a, b) => (a.due || "9999").localeCompare(b.due || "9999"));
  const extra = mentions !== null || assignments !== null;
  show(main, h("h1", {}, t("tasks")),
    extra ? h("h2", { id: "h-steps" }, t("tk_steps")) : null,
    items.length === 0 ? h("p", {}, t("none_tasks")) : h("table", {},
      h("caption", { class: "visually-hidden" }, t("tasks")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("step")), h("th", { scope: "col" }, t("instance")),
        h("th", { scope: "col" }, t("phase")), h("th", { scope: "col" }, t("due")))),
      h("tbody", {}, items.map((task) =>
        h("tr", {},
          h("td", {}, h("a", { href: `/processer/${task.instance}` }, task.step_label), task.signoff ? h("span", { class: "muted" }, ` (${task.signoff})`) : null),
          h("td", {}, task.instance_title, h("br"), h("span", { class: "muted" }, task.unit)),
          h("td", {}, task.phase_label),
          h("td", { class: task.overdue ? "overdue" : "" }, formatDate(task.due), task.overdue ? ` – ${t("overdue")}` : ""))))),
    mentions !== null ? mentionsView(await withLabels(mentions.map(mention))) : null,
    assignments !== null ? assignmentsView(assignments) : null);
}

// One mention, whatever the server's spelling: where it is (instance, form, occurrence, field or step),
// who wrote it, when, and the comment's text.
function mention(m) {
  const c = m.comment && typeof m.comment === "object" ? { ...m, ...m.comment } : m;
  const target = c.target && typeof c.target === "object" ? c.target : null;
  const place = target && !target.step ? target : c.field && typeof c.field === "object" ? c.field : null;
  return {
    instance: c.instance ?? c.instance_id,
    instanceTitle: c.instance_title ?? c.title ?? "",
    form: place?.form ?? c.form ?? c.form_id ?? null,
    formLabel: place?.form_label ?? c.form_label ?? null,
    occurrence: Number(place?.occurrence ?? c.occurrence ?? 0) || 0,
    field: place ? (place.field ?? place.id ?? null) : (typeof c.field === "string" ? c.field : c.field_id ?? null),
    fieldLabel: place?.label ?? place?.field_label ?? c.field_label ?? null,
    step: target?.step ?? (typeof c.step === "object" && c.step ? c.step.id : c.step) ?? c.step_id ?? null,
    stepLabel: target?.step_label ?? c.step_label ?? (typeof c.step === "object" && c.step ? c.step.label : null),
    author: c.author_name ?? c.author ?? "",
    at: c.created_at ?? c.at ?? null,
    body: c.body ?? "",
    mentions: Array.isArray(c.mentions) ? c.mentions.map((x) => (typeof x === "object" ? x.username : x)) : null,
  };
}

// The server names a mention's place by ids; the labels come from the form (or the instance, for a step),
// each fetched once. Without them the mention still shows, named by its process.
async function withLabels(items) {
  const cache = new Map();
  const once = (path) => {
    if (!cache.has(path)) cache.set(path, api.get(path).catch(() => null));
    return cache.get(path);
  };
  const wanted = items.slice(0, 50);
  await Promise.all(wanted.map(async (m) => {
    const base = `/api/instances/${encodeURIComponent(m.instance)}`;
    if (m.form && m.field && !(m.formLabel && m.fieldLabel)) {
      const form = await once(`${base}/forms/${encodeURIComponent(m.form)}${m.occurrence ? `?occurrence=${m.occurrence}` : ""}`);
      m.formLabel ??= form?.label ?? null;
      m.fieldLabel ??= form?.fields?.find((f) => f.id === m.field)?.label ?? null;
    } else if (m.step && !m.stepLabel) {
      const instance = await once(base);
      m.stepLabel = instance?.phases?.flatMap((p) => p.steps).find((s) => s.id === m.step)?.label ?? null;
    }
  }));
  return items;
}

function mentionsView(items) {
  items = [...items].sort((a, b) => String(b.at || "").localeCompare(String(a.at || "")));
  return h("section", { "aria-labelledby": "h-mentions" },
    h("h2", { id: "h-mentions" }, t("tk_mentions")),
    items.length === 0 ? h("p", {}, t("tk_no_mentions")) : h("ul", { class: "mentions" }, items.map((m) => {
      const instancePath = `/processer/${encodeURIComponent(m.instance)}`;
      let href = instancePath;
      // What the comment is about, by its labels when the server gives them.
      let where = m.stepLabel || "";
      if (m.form && m.field) {
        const query = new URLSearchParams();
        if (m.occurrence) query.set("occurrence", String(m.occurrence));
        query.set("falt", m.field);
        href = `${instancePath}/formular/${encodeURIComponent(m.form)}?${query}`;
        where = [m.formLabel, m.fieldLabel].filter(Boolean).join(": ") +
          (m.occurrence ? ` (${t("tk_occurrence")} ${m.occurrence})` : "");
      }
      return h("li", { class: "mention-item" },
        h("p", { class: "comment-meta" },
          h("a", { href }, m.instanceTitle || t("tk_open_field"), where ? ` – ${where}` : "")),
        h("p", { class: "comment-meta muted" }, fill(t("tk_mentioned_by"), { who: m.author }), ", ",
          h("time", { datetime: m.at || false }, when(m.at))),
        h("blockquote", { class: "comment-body" }, withMentions(m.body, m.mentions?.length ? m.mentions : null)));
    })));
}

function assignmentsView(list) {
  const items = list.map((a) => ({
    instance: a.instance ?? a.instance_id,
    title: a.instance_title ?? a.title ?? "",
    role: a.role_label ?? a.label ?? a.role ?? "",
    unit: [a.unit, a.municipality].filter(Boolean).join(", "),
    workflow: a.workflow_title ?? "",
  })).sort((a, b) => a.title.localeCompare(b.title, "sv") || a.role.localeCompare(b.role, "sv"));
  return h("section", { "aria-labelledby": "h-roles" },
    h("h2", { id: "h-roles" }, t("tk_roles")),
    items.length === 0 ? h("p", {}, t("tk_no_roles")) : h("div", { class: "table-wrap" }, h("table", { class: "roles" },
      h("caption", { class: "visually-hidden" }, t("tk_roles")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("tk_role")), h("th", { scope: "col" }, t("instance")),
        h("th", { scope: "col" }, t("tk_unit")))),
      h("tbody", {}, items.map((a) => h("tr", {},
        h("td", {}, a.role),
        h("td", {}, a.instance != null
          ? h("a", { href: `/processer/${encodeURIComponent(a.instance)}` }, a.title || String(a.instance))
          : h("span", {}, a.title || t("tk_organisation_wide")),
        a.workflow ? [h("br"), h("span", { class: "muted" }, a.workflow)] : null),
        h("td", {}, a.unit)))))));
}
