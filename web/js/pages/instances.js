// Processer (/processer): the instances the user may see, newest first, filtered by status and paged.
// The filter and page live in the query string (?status=active&sida=2) so they survive reloads and Back.
import * as api from "../api.js";
import { h, show, formatDate } from "../dom.js";
import { t, extend } from "../i18n.js";

extend("sv", {
  il_status: "Status", il_all: "Alla", il_active: "Pågår", il_completed: "Avslutade", il_filter: "Visa",
  il_title: "Process", il_unit: "Enhet", il_phase: "Aktuell fas", il_updated: "Senast ändrad",
  il_none: "Det finns inga processer att visa.", il_previous: "Föregående sida", il_next: "Nästa sida",
  il_range: "Visar {from}–{to} av {total}", il_paging: "Sidor", il_state_active: "Pågår",
  il_state_completed: "Avslutad", il_workflow: "Arbetsgång",
});
extend("en", {
  il_status: "Status", il_all: "All", il_active: "In progress", il_completed: "Completed", il_filter: "Show",
  il_title: "Process", il_unit: "Unit", il_phase: "Current phase", il_updated: "Last changed",
  il_none: "There are no processes to show.", il_previous: "Previous page", il_next: "Next page",
  il_range: "Showing {from}–{to} of {total}", il_paging: "Pages", il_state_active: "In progress",
  il_state_completed: "Completed", il_workflow: "Workflow",
});

const PAGE = 25;
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");

export async function render(main, params, context) {
  const query = new URLSearchParams(location.search);
  const status = ["active", "completed"].includes(query.get("status")) ? query.get("status") : "";
  const page = Math.max(1, Number.parseInt(query.get("sida") || "1", 10) || 1);
  const offset = (page - 1) * PAGE;
  const data = await api.get(`/api/instances?limit=${PAGE}&offset=${offset}${status ? `&status=${status}` : ""}`);
  const items = data.items || [];
  // The list names the current phase by id; the definitions give its label.
  const labels = new Map();
  const pairs = [...new Set(items.map((i) => `${i.workflow}@${i.workflow_version}`))];
  await Promise.all(pairs.map(async (pair) => {
    const [workflow, version] = pair.split("@");
    try {
      const def = await api.get(`/api/workflows/${encodeURIComponent(workflow)}?version=${version}`);
      for (const p of def.phases || []) labels.set(`${pair}/${p.id}`, p.label);
    } catch { /* the id will do */ }
  }));

  const url = (next) => {
    const q = new URLSearchParams();
    if (next.status) q.set("status", next.status);
    if (next.page > 1) q.set("sida", String(next.page));
    const s = q.toString();
    return "/processer" + (s ? `?${s}` : "");
  };

  // Applied with the button, not on change: a select that navigates surprises keyboard users (WCAG 3.2.2).
  const select = h("select", { id: "instances-status", name: "status" },
    [["", t("il_all")], ["active", t("il_active")], ["completed", t("il_completed")]].map(([value, label]) =>
      h("option", { value, selected: value === status }, label)));
  const filter = h("form", { class: "filter", role: "search", "aria-label": t("il_status"),
    onsubmit: (event) => { event.preventDefault(); context.navigate(url({ status: select.value, page: 1 })); } },
    h("label", { for: select.id }, t("il_status")), select, " ", h("button", { type: "submit", class: "secondary" }, t("il_filter")));

  if (!items.length) {
    show(main, h("h1", {}, t("instances")), filter, h("p", {}, t("il_none")),
      page > 1 ? h("p", {}, h("a", { href: url({ status, page: 1 }) }, t("il_previous"))) : null);
    return;
  }

  const range = fill(t("il_range"), { from: offset + 1, to: offset + items.length, total: data.total });
  const pages = Math.max(1, Math.ceil(data.total / PAGE));
  show(main,
    h("h1", {}, t("instances")),
    filter,
    h("div", { class: "table-wrap" }, h("table", { class: "instances" },
      h("caption", {}, range),
      h("thead", {}, h("tr", {}, [t("il_title"), t("il_unit"), t("il_status"), t("il_phase"), t("il_updated")]
        .map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, items.map((item) => {
        const phase = item.current_phase ? labels.get(`${item.workflow}@${item.workflow_version}/${item.current_phase}`) || item.current_phase : "–";
        return h("tr", {},
          h("th", { scope: "row" }, h("a", { href: `/processer/${item.id}` }, item.title || `#${item.id}`),
            item.workflow_title && item.workflow_title !== item.title ? h("div", { class: "muted" }, item.workflow_title) : null),
          h("td", {}, item.unit, item.municipality ? h("div", { class: "muted" }, item.municipality) : null),
          h("td", { class: `state-${item.status === "completed" ? "completed" : "active"}` },
            item.status === "completed" ? t("il_state_completed") : t("il_state_active")),
          h("td", {}, phase),
          h("td", {}, formatDate(item.updated_at)));
      })))),
    pages > 1 ? h("nav", { class: "pager", "aria-label": t("il_paging") },
      page > 1 ? h("a", { href: url({ status, page: page - 1 }), rel: "prev" }, "← ", t("il_previous")) : null,
      h("span", { class: "muted" }, ` ${page} / ${pages} `),
      page < pages ? h("a", { href: url({ status, page: page + 1 }), rel: "next" }, t("il_next"), " →") : null) : null);
}
