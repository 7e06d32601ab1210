// Förvaltning: the dashboard (/api/insights) as bar charts with tables, and the overview exports with a
// download progress bar.
import * as api from "../api.js";
import { h, show, announce } from "../dom.js";
import { t, extend } from "../i18n.js";
import { barChart as drawBarChart } from "../charts.js";

extend("sv", {
  m_filters: "Urval", m_municipality: "Kommun", m_process: "Process", m_status: "Status", m_all: "Alla",
  m_active: "Pågående", m_completed: "Avslutade", m_from: "Från och med", m_to: "Till och med", m_apply: "Visa",
  m_summary: "Läget just nu", m_instances: "Processer", m_overdue: "Försenade", m_per_process: "Processer per typ",
  m_per_phase: "Pågående per fas", m_phase: "Fas", m_days: "Observatörsdagar per kommun", m_days_unit: "Dagar",
  m_days_desc: "summa av redovisade dagar", m_no_days: "Inga observatörsdagar redovisade.", m_none: "Inga processer i urvalet.",
  m_export: "Exportera", m_export_help: "Exporten följer urvalet ovan (kommun, process, status och period).",
  m_xlsx: "Hämta Excel (.xlsx)", m_csv: "Hämta CSV (.csv)", m_progress: "Hämtar exporten", m_received: "mottaget",
  m_done: "Exporten är hämtad:", m_table: "Visa som tabell",
});
extend("en", {
  m_filters: "Selection", m_municipality: "Municipality", m_process: "Process", m_status: "Status", m_all: "All",
  m_active: "Active", m_completed: "Completed", m_from: "From", m_to: "To", m_apply: "Show",
  m_summary: "Where things stand", m_instances: "Processes", m_overdue: "Overdue", m_per_process: "Processes by type",
  m_per_phase: "Active per phase", m_phase: "Phase", m_days: "Observer days per municipality", m_days_unit: "Days",
  m_days_desc: "sum of days reported", m_no_days: "No observer days reported.", m_none: "No processes in the selection.",
  m_export: "Export", m_export_help: "The export follows the selection above (municipality, process, status and period).",
  m_xlsx: "Download Excel (.xlsx)", m_csv: "Download CSV (.csv)", m_progress: "Downloading the export", m_received: "received",
  m_done: "The export is downloaded:", m_table: "Show as a table",
});

const field = (id, label, control) => h("div", { class: "field" }, h("label", { for: id }, label), control);

function bytes(n) {
  return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} kB`;
}

// The file name from Content-Disposition (filename* first), or a fallback.
function fileName(disposition, fallback) {
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition || "");
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition || "");
  return plain ? plain[1] : fallback;
}

export async function render(main) {
  const [municipalities, workflows] = await Promise.all([
    api.get("/api/municipalities?limit=500"), api.get("/api/workflows")]);
  const processes = workflows.items.filter((w) => w.latest);

  const select = (id, options) => h("select", { id, name: id }, h("option", { value: "" }, t("m_all")),
    options.map(([value, label]) => h("option", { value }, label)));
  const form = h("form", { class: "card filters", "aria-labelledby": "filters-h" },
    h("h2", { id: "filters-h" }, t("m_filters")),
    h("div", { class: "filter-grid" },
      field("f-municipality", t("m_municipality"), select("f-municipality", municipalities.items.map((m) => [m.id, m.name]))),
      field("f-process", t("m_process"), select("f-process", processes.map((w) => [w.id, w.title]))),
      field("f-status", t("m_status"), select("f-status", [["active", t("m_active")], ["completed", t("m_completed")]])),
      field("f-from", t("m_from"), h("input", { id: "f-from", type: "date" })),
      field("f-to", t("m_to"), h("input", { id: "f-to", type: "date" }))),
    h("button", { type: "submit" }, t("m_apply")));
  const value = (id) => form.querySelector(`#${id}`).value;
  const dashboard = h("section", { "aria-labelledby": "summary-h", "aria-live": "polite" });
  const progress = h("div", { class: "download", hidden: true });
  const exportStatus = h("p", { role: "status" });
  const exportError = h("div");

  async function load() {
    const query = new URLSearchParams();
    if (value("f-municipality")) query.set("municipality_id", value("f-municipality"));
    if (value("f-process")) query.set("workflow", value("f-process"));
    const data = await api.get("/api/insights" + (query.size ? `?${query}` : ""));
    show(dashboard, drawDashboard(data));
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await load();
      announce(t("m_summary"));
    } catch (error) {
      show(dashboard, h("p", { class: "errors", role: "alert" }, error.message));
    }
  });

  async function download(format) {
    const query = new URLSearchParams();
    for (const [param, id] of [["municipality_id", "f-municipality"], ["workflow", "f-process"], ["status", "f-status"], ["from", "f-from"], ["to", "f-to"]]) {
      if (value(id)) query.set(param, value(id));
    }
    const bar = h("progress", { id: "export-progress", max: 100 });
    const label = h("label", { for: "export-progress" }, `${t("m_progress")} (${format})`);
    const counter = h("span", { class: "muted" });
    show(progress, label, bar, " ", counter);
    progress.hidden = false;
    show(exportStatus);
    show(exportError);
    const buttons = main.querySelectorAll(".export-buttons button");
    buttons.forEach((b) => (b.disabled = true));
    try {
      const response = await api.request("GET", `/api/exports/overview.${format}${query.size ? `?${query}` : ""}`, { raw: true });
      const total = Number(response.headers.get("Content-Length")) || 0;
      if (total) bar.max = total;
      else bar.removeAttribute("value");  // indeterminate
      const reader = response.body.getReader();
      const chunks = [];
      let received = 0;
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        chunks.push(chunk);
        received += chunk.length;
        if (total) bar.value = received;
        counter.textContent = `${bytes(received)}${total ? ` / ${bytes(total)}` : ""} ${t("m_received")}`;
      }
      if (total) bar.value = total;
      const name = fileName(response.headers.get("Content-Disposition"), `spegla-oversikt.${format}`);
      const url = URL.createObjectURL(new Blob(chunks, { type: response.headers.get("Content-Type") || "" }));
      const link = h("a", { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      exportStatus.textContent = `${t("m_done")} ${name} (${bytes(received)})`;
    } catch (error) {
      progress.hidden = true;
      show(exportError, h("div", { class: "errors", role: "alert" }, error.message,
        error.errors?.length ? h("ul", {}, error.errors.map((e) => h("li", {}, e.field ? `${e.field}: ${e.message}` : e.message))) : null));
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  show(main, h("h1", {}, t("management")), form, dashboard,
    h("section", { class: "card", "aria-labelledby": "export-h" },
      h("h2", { id: "export-h" }, t("m_export")),
      h("p", { class: "help" }, t("m_export_help")),
      h("div", { class: "export-buttons" },
        h("button", { type: "button", onclick: () => download("xlsx") }, t("m_xlsx")), " ",
        h("button", { type: "button", class: "secondary", onclick: () => download("csv") }, t("m_csv"))),
      progress, exportStatus, exportError));
  await load();
}

// barChart, with bars of value 0 made readable: such a bar has no width, so its series would show only
// as a bare "0". It gets a thin stub in its series' colour and, when the chart has several series, the
// series' name beside the value ("0 (Avslutade)"); its row label is drawn as for any other row.
function barChart(options) {
  const figure = drawBarChart(options);
  const series = options.series || [];
  // The bars are the rects with a <title> (the legend's swatches have none), drawn row by row, series by series.
  const bars = [...figure.querySelectorAll("svg rect")].filter((r) => r.querySelector("title"));
  bars.forEach((rect, i) => {
    if (Number(rect.getAttribute("width")) > 0) return;
    const stub = 3;
    rect.setAttribute("width", String(stub));
    rect.classList.add("bar-zero");
    const value = rect.nextElementSibling;
    if (value?.tagName.toLowerCase() === "text") {
      value.setAttribute("x", String(Number(rect.getAttribute("x")) + stub + 4));
      const serie = series[i % Math.max(1, series.length)];
      if (series.length > 1 && serie) value.append(` (${serie.label})`);
    }
  });
  return figure;
}

function drawDashboard(data) {
  const out = [h("h2", { id: "summary-h" }, t("m_summary")),
    h("dl", { class: "figures" },
      [[t("m_instances"), data.instances], [t("m_active"), data.active], [t("m_completed"), data.completed], [t("m_overdue"), data.overdue]]
        .map(([label, n]) => h("div", { class: label === t("m_overdue") && n > 0 ? "figure overdue" : "figure" }, h("dt", {}, label), h("dd", {}, n))))];
  if (!data.instances) return [...out, h("p", {}, t("m_none"))];
  const counts = [
    { key: "active", label: t("m_active"), className: "bar-active" },
    { key: "completed", label: t("m_completed"), className: "bar-completed" },
    { key: "overdue", label: t("m_overdue"), className: "bar-overdue" }];
  out.push(barChart({
    title: t("m_per_process"), labelHeader: t("m_process"), series: counts, digits: 0, tableLabel: t("m_table"),
    rows: data.processes.map((p) => ({ label: p.title, values: p })),
  }));
  for (const p of data.processes.filter((p) => p.active > 0)) {
    out.push(barChart({
      title: `${p.title}: ${t("m_per_phase").toLowerCase()}`, labelHeader: t("m_phase"), digits: 0, tableLabel: t("m_table"),
      series: [{ key: "instances", label: t("m_active"), className: "bar-active" }, { key: "overdue", label: t("m_overdue"), className: "bar-overdue" }],
      rows: p.phases.map((phase) => ({ label: phase.label, values: phase })),
    }));
  }
  out.push(data.observer_days.length
    ? barChart({
      title: t("m_days"), description: t("m_days_desc"), labelHeader: t("m_municipality"), tableLabel: t("m_table"),
      series: [{ key: "days", label: t("m_days_unit"), className: "bar-days" }],
      rows: data.observer_days.map((d) => ({ label: d.municipality, values: d })),
    })
    : h("p", {}, t("m_no_days")));
  return out;
}
