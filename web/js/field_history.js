// The history of one field (docs/collaboration.md, "History per field"): every version, newest first,
// with who wrote it and when, and "Återställ" to write an earlier version's value again as a new version.
import * as api from "./api.js";
import { h, announce } from "./dom.js";
import { t, extend } from "./i18n.js";
import { displayValue } from "./form_fields.js";
import { when } from "./comments.js";

extend("sv", {
  hi_history: "Historik", hi_version: "Version {n}", hi_current: "nuvarande", hi_restore: "Återställ",
  hi_restored_from: "återställd från version {n}", hi_none: "Fältet har inte skrivits ännu.",
  hi_loading: "Hämtar historiken…", hi_done: "Version {n} är återställd.", hi_close: "Stäng historiken",
  hi_by: "av",
});
extend("en", {
  hi_history: "History", hi_version: "Version {n}", hi_current: "current", hi_restore: "Restore",
  hi_restored_from: "restored from version {n}", hi_none: "The field has not been written yet.",
  hi_loading: "Loading the history…", hi_done: "Version {n} has been restored.", hi_close: "Close the history",
  hi_by: "by",
});

const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");

function normalize(v) {
  return {
    version: v.version,
    value: v.value ?? null,
    author: v.author_name ?? v.author_display_name ?? v.author ?? "",
    at: v.at ?? v.updated_at ?? v.created_at ?? null,
    restoredFrom: v.restored_from ?? null,
    display: typeof v.display === "string" ? v.display : null,
  };
}

// field: the form's field (id, label, type, options); formPath: /api/instances/{id}/forms/{form};
// occurrence; canRestore; currentVersion(): the version the page holds; onRestored(answer, version).
export function fieldHistoryPanel({ field, formPath, occurrence, participants, canRestore, currentVersion, onRestored, idBase }) {
  const fieldPath = `${formPath.split("?")[0]}/fields/${encodeURIComponent(field.id)}`;
  const query = occurrence ? `?occurrence=${occurrence}` : "";
  const errors = h("div", { class: "errors", id: `${idBase}-errors` });
  const body = h("div", { class: "history-body" });
  const root = h("div", { class: "field-history", role: "region", id: `${idBase}-region`,
    "aria-label": `${t("hi_history")}: ${field.label}` },
  h("h3", { class: "panel-title" }, t("hi_history"), h("span", { class: "visually-hidden" }, `: ${field.label}`)),
  body, errors);

  const showErrors = (error) => {
    if (!error) { errors.replaceChildren(); errors.removeAttribute("role"); return; }
    const messages = error instanceof api.ApiError && error.errors.length ? error.errors.map((e) => e.message) : [error.message];
    errors.setAttribute("role", "alert");
    errors.replaceChildren(h("ul", {}, messages.map((m) => h("li", {}, m))));
  };

  const shown = (value) => (value !== null && typeof value === "object" && !Array.isArray(value)) || (Array.isArray(value) && value.some((x) => typeof x === "object"))
    ? JSON.stringify(value, null, 1) : displayValue(field, value, participants);

  async function load() {
    body.replaceChildren(h("p", { class: "muted" }, t("hi_loading")));
    let versions;
    try {
      const answer = await api.get(`${fieldPath}/history${query}`);
      versions = (Array.isArray(answer) ? answer : answer?.items || answer?.versions || []).map(normalize);
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 401) throw error;
      body.replaceChildren();
      showErrors(error);
      return;
    }
    versions.sort((a, b) => b.version - a.version);
    if (!versions.length) {
      body.replaceChildren(h("p", {}, t("hi_none")));
      return;
    }
    const newest = versions[0].version;
    body.replaceChildren(h("ol", { class: "history-list", reversed: true }, versions.map((v) => {
      const restore = canRestore && v.version !== newest
        ? h("button", { type: "button", class: "secondary small", id: `${idBase}-restore-${v.version}` },
          t("hi_restore"), h("span", { class: "visually-hidden" }, ` ${fill(t("hi_version"), { n: v.version }).toLowerCase()} – ${field.label}`))
        : null;
      restore?.addEventListener("click", () => run(v.version, restore));
      return h("li", { class: "history-version", dataset: { version: v.version } },
        h("p", { class: "history-meta" },
          h("strong", {}, fill(t("hi_version"), { n: v.version })),
          v.version === newest ? h("span", { class: "muted" }, ` (${t("hi_current")})`) : null,
          " – ", v.author ? `${v.author}, ` : "", h("time", { datetime: v.at || false }, when(v.at)),
          v.restoredFrom ? h("span", { class: "history-restored" }, ` – ${fill(t("hi_restored_from"), { n: v.restoredFrom })}`) : null),
        h("div", { class: "history-value prewrap" }, v.display ?? shown(v.value)),
        restore);
    })));
  }

  async function run(version, button) {
    showErrors(null);
    button.disabled = true;
    try {
      const answer = await api.post(`${fieldPath}/restore${query}`, { version, expected_version: currentVersion() });
      await onRestored(answer, version);
      announce(fill(t("hi_done"), { n: version }));
      await load();
      root.querySelector("h3")?.setAttribute("tabindex", "-1");
      root.querySelector("h3")?.focus();
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 401) throw error;
      button.disabled = false;
      showErrors(error);
    }
  }

  return { root, load };
}
