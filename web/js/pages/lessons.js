// Lärdomar: the public page of a network's lessons learnt (/lardomar/:network), from completed processes.
// No sign-in; the server sends only the columns the export declares (no names of people).
import * as api from "../api.js";
import { h, show } from "../dom.js";
import { t, extend } from "../i18n.js";

extend("sv", {
  l_title: "Lärdomar från", l_intro: "Sammanfattningar från avslutade processer i nätverkets kommuner.",
  l_none: "Här finns inga publicerade lärdomar ännu.", l_unknown: "Det finns inget sådant nätverk.",
  l_yes: "Ja", l_no: "Nej", l_count: "lärdomar",
});
extend("en", {
  l_title: "Lessons learnt in", l_intro: "Summaries from completed processes in the network's municipalities.",
  l_none: "No lessons have been published here yet.", l_unknown: "There is no such network.",
  l_yes: "Yes", l_no: "No", l_count: "lessons",
});

// Columns shown as the lesson's place rather than as its content.
const KEYS = ["Nr", "Kommun", "Enhet", "Process"];

function text(value) {
  if (value === null || value === undefined || value === "") return null;
  if (value === true) return t("l_yes");
  if (value === false) return t("l_no");
  return String(value);
}

export async function render(main, params) {
  const network = params.network;
  let data;
  try {
    data = await api.get(`/api/public/lessons/${encodeURIComponent(network)}`);
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 404) {
      show(main, h("h1", {}, `${t("lessons")}: ${network}`), h("p", { role: "alert" }, t("l_unknown")));
      return;
    }
    throw error;
  }
  const col = (name) => data.columns.indexOf(name);
  const heading = col("Rubrik");
  const rows = data.rows.map((row) => Object.fromEntries(data.columns.map((c, i) => [c, row[i]])));
  const content = data.columns.filter((c, i) => !KEYS.includes(c) && i !== heading && !c.startsWith("Får publiceras"));

  show(main, h("h1", {}, `${t("l_title")} ${network}`),
    h("p", {}, t("l_intro"), " ", h("span", { class: "muted" }, `(${rows.length} ${t("l_count")})`)),
    rows.length === 0 ? h("p", {}, t("l_none")) :
      h("ul", { class: "lessons" }, rows.map((row, i) => {
        const id = `lesson-${i}`;
        return h("li", {}, h("article", { class: "card", "aria-labelledby": id },
          h("h2", { id }, text(row.Rubrik) || text(row.Process) || t("lessons")),
          h("p", { class: "muted" }, [row.Enhet, row.Kommun, row.Process].map(text).filter(Boolean).join(" · ")),
          h("dl", {}, content.filter((c) => text(row[c])).map((c) => [h("dt", {}, c), h("dd", { class: "prewrap" }, text(row[c]))]))));
      })));
}
