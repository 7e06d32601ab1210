// Mina uppgifter: the open steps the user performs or signs off, across every instance, soonest due first.
import * as api from "../api.js";
import { h, show, formatDate } from "../dom.js";
import { t } from "../i18n.js";

export async function render(main) {
  const { items } = await api.get("/api/tasks");
  items.sort((a, b) => (a.due || "9999").localeCompare(b.due || "9999"));
  if (items.length === 0) {
    show(main, h("h1", {}, t("tasks")), h("p", {}, t("none_tasks")));
    return;
  }
  show(main, h("h1", {}, t("tasks")),
    h("table", {},
      h("caption", { class: "visually-hidden" }, t("tasks")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("step")), h("th", { scope: "col" }, t("instance")),
        h("th", { scope: "col" }, t("phase")), h("th", { scope: "col" }, t("due")))),
      h("tbody", {}, items.map((task) =>
        h("tr", {},
          h("td", {}, h("a", { href: `/processer/${task.instance}` }, task.step_label), task.signoff ? h("span", { class: "muted" }, ` (${task.signoff})`) : null),
          h("td", {}, task.instance_title, h("br"), h("span", { class: "muted" }, task.unit)),
          h("td", {}, task.phase_label),
          h("td", { class: task.overdue ? "overdue" : "" }, formatDate(task.due), task.overdue ? ` – ${t("overdue")}` : ""))))));
}
