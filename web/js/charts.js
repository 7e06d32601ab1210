// Horizontal SVG bar charts with a data table alternative. Labels and numbers are text nodes, never markup.
import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
let counter = 0;

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

const number = (value, digits) =>
  new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-GB" : "sv-SE", { maximumFractionDigits: digits }).format(value);

// barChart({title, description, rows: [{label, values: {key: n}}], series: [{key, label, className}],
//   labelHeader, tableLabel, digits}) -> a <figure> with the chart, its caption and a table of the same data.
export function barChart({ title, description = "", rows, series, labelHeader = "", tableLabel = "Visa som tabell", digits = 1 }) {
  const id = `chart-${++counter}`;
  const labelWidth = 220, barArea = 360, valueWidth = 60, barHeight = 18, gap = 4, rowGap = 12, legendHeight = series.length > 1 ? 28 : 0;
  const rowHeight = series.length * (barHeight + gap) - gap + rowGap;
  const height = legendHeight + Math.max(1, rows.length) * rowHeight + 4;
  const width = labelWidth + barArea + valueWidth;
  const max = Math.max(1, ...rows.flatMap((row) => series.map((serie) => Number(row.values[serie.key]) || 0)));

  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", "aria-labelledby": `${id}-t ${id}-d`, class: "chart", preserveAspectRatio: "xMinYMin meet" },
    s("title", { id: `${id}-t` }, title),
    s("desc", { id: `${id}-d` }, description || rows.map((row) => `${row.label}: ${series.map((serie) => `${serie.label} ${number(row.values[serie.key] || 0, digits)}`).join(", ")}`).join("; ")));
  if (series.length > 1) {
    let x = labelWidth;
    for (const serie of series) {
      svg.append(s("rect", { x, y: 6, width: 14, height: 14, class: `bar ${serie.className || ""}` }),
        s("text", { x: x + 20, y: 18, class: "chart-legend" }, serie.label));
      x += 40 + serie.label.length * 8;
    }
  }
  rows.forEach((row, r) => {
    const top = legendHeight + r * rowHeight;
    svg.append(s("text", { x: labelWidth - 8, y: top + barHeight * 0.75, "text-anchor": "end", class: "chart-label" },
      row.label.length > 30 ? row.label.slice(0, 29) + "…" : row.label, s("title", {}, row.label)));
    series.forEach((serie, k) => {
      const value = Number(row.values[serie.key]) || 0;
      const y = top + k * (barHeight + gap);
      const w = Math.max(value > 0 ? 2 : 0, (value / max) * (barArea - 8));
      svg.append(s("rect", { x: labelWidth, y, width: w, height: barHeight, class: `bar ${serie.className || ""}` },
        s("title", {}, `${row.label} – ${serie.label}: ${number(value, digits)}`)),
      s("text", { x: labelWidth + w + 4, y: y + barHeight * 0.75, class: "chart-value" }, number(value, digits)));
    });
  });

  const table = h("table", {},
    h("caption", {}, title),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, labelHeader), series.map((serie) => h("th", { scope: "col", class: "num" }, serie.label)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, h("th", { scope: "row" }, row.label),
      series.map((serie) => h("td", { class: "num" }, number(Number(row.values[serie.key]) || 0, digits)))))));
  return h("figure", { class: "chart-figure" },
    h("figcaption", {}, h("strong", {}, title), description ? h("span", { class: "muted" }, ` – ${description}`) : null),
    svg,
    h("details", {}, h("summary", {}, tableLabel), table));
}
