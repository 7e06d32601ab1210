// "Fyll i utan webbläsare": the form as a fillable Word or Excel file, and the upload of a filled one
// (docs/offline-forms.md). The server writes the answers that changed since the file was made, all or none,
// and names each field it could not take: changed by someone else meanwhile, or not a valid answer.
import * as api from "./api.js";
import { h, announce } from "./dom.js";
import { t, extend } from "./i18n.js";

extend("sv", {
  of_title: "Fyll i utan webbläsare", of_intro: "Hämta formuläret som Word- eller Excelfil, fyll i det där du är och ladda upp det här igen. Svaren läggs in som om du skrivit dem här; ett fält som någon annan ändrat under tiden skrivs inte över.",
  of_word: "Hämta som Word (.docx)", of_excel: "Hämta som Excel (.xlsx)", of_file: "Ifylld fil",
  of_upload: "Läs in filen", of_reading: "Läser in…", of_none: "Inga svar i filen skilde sig från det som var sparat när den hämtades.",
  of_done: "Inläst: {n} fält ändrades ({names}).", of_merged: "Sammanslagna med ändringar gjorda under tiden: {names}.",
  of_missing: "Saknades i filen och lämnades orörda: {names}.", of_failed: "Filen lästes inte in. Inget sparades.",
  of_choose: "Välj en fil först.",
});
extend("en", {
  of_title: "Fill in without a browser", of_intro: "Download the form as a Word or Excel file, fill it in wherever you are and upload it here again. The answers are entered as if you had typed them here; a field someone else changed meanwhile is not overwritten.",
  of_word: "Download as Word (.docx)", of_excel: "Download as Excel (.xlsx)", of_file: "Filled-in file",
  of_upload: "Read the file", of_reading: "Reading…", of_none: "No answer in the file differed from what was saved when it was downloaded.",
  of_done: "Read: {n} fields changed ({names}).", of_merged: "Merged with changes made meanwhile: {names}.",
  of_missing: "Missing from the file and left as they were: {names}.", of_failed: "The file was not read. Nothing was saved.",
  of_choose: "Choose a file first.",
});

const fillIn = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");

// `labelOf(fieldId)` names a field for people; `onImported(changedIds)` refreshes the form afterwards.
export function offlinePanel({ instanceId, formId, occurrence, editable, labelOf, onImported }) {
  const base = `/api/instances/${encodeURIComponent(instanceId)}/forms/${encodeURIComponent(formId)}`;
  const query = (more) => {
    const params = new URLSearchParams(more);
    if (occurrence) params.set("occurrence", String(occurrence));
    return params.toString();
  };
  const result = h("div", { class: "offline-result", role: "status", "aria-live": "polite" });
  const input = h("input", { type: "file", id: "offline-file", name: "file", accept: ".docx,.xlsx" });
  const names = (ids) => ids.map((id) => labelOf(id) || id).join(", ");
  const pathLabel = (path) => {
    const id = String(path || "").split(".").slice(1).join(".").replace(/#\d+$/, "");
    return labelOf(id) || path;
  };

  async function upload(event) {
    event.preventDefault();
    const file = input.files?.[0];
    if (!file) {
      result.replaceChildren(h("p", { class: "error" }, t("of_choose")));
      return;
    }
    result.replaceChildren(h("p", {}, t("of_reading")));
    try {
      const answer = await api.request("POST", `${base}/upload?${query({})}`,
        { body: file, headers: { "Content-Type": file.type || "application/octet-stream" } });
      const lines = [answer.changed.length
        ? fillIn(t("of_done"), { n: answer.changed.length, names: names(answer.changed) })
        : t("of_none")];
      if (answer.merged.length) lines.push(fillIn(t("of_merged"), { names: names(answer.merged) }));
      if (answer.missing.length) lines.push(fillIn(t("of_missing"), { names: names(answer.missing) }));
      result.replaceChildren(...lines.map((line) => h("p", { class: "notice" }, line)));
      announce(lines[0]);
      input.value = "";
      await onImported(answer.changed);
    } catch (error) {
      if (!(error instanceof api.ApiError)) throw error;
      const items = (error.errors.length ? error.errors : [{ message: error.message }]).map((e) =>
        h("li", {}, e.field && e.field !== "file" ? `${pathLabel(e.field)}: ` : "", e.message));
      result.replaceChildren(h("div", { class: "problems", role: "alert" },
        h("p", {}, h("strong", {}, t("of_failed")), " ", error.problem?.title || ""), h("ul", {}, ...items)));
    }
  }

  return h("section", { class: "card offline-form", "aria-labelledby": "offline-title" },
    h("h2", { id: "offline-title" }, t("of_title")),
    h("p", { class: "muted" }, t("of_intro")),
    h("p", { class: "offline-downloads" },
      h("a", { class: "button", href: `${base}/download?${query({ format: "docx" })}`, download: "" }, t("of_word")),
      " ",
      h("a", { class: "button", href: `${base}/download?${query({ format: "xlsx" })}`, download: "" }, t("of_excel"))),
    editable ? h("form", { class: "offline-upload", onsubmit: upload },
      h("label", { for: "offline-file" }, t("of_file")), " ", input, " ",
      h("button", { type: "submit" }, t("of_upload"))) : null,
    result);
}
