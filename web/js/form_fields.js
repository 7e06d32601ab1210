// Field widgets for forms (web/js/pages/form.js). Each widget is a controller:
//   { id, root, get() -> {value} | {error}, set(value), showErrors([{message, row, column}]), setVisible(bool),
//     element (what to focus) }
// Values are in the API's JSON form: text, number, ISO date, boolean, option value(s), username, rows.
import { h } from "./dom.js";
import { t, extend } from "./i18n.js";

extend("sv", {
  ff_yes: "Ja", ff_no: "Nej", ff_choose: "– Välj –", ff_empty: "Ej ifyllt", ff_required: "obligatoriskt",
  ff_not_number: "Skriv ett tal, till exempel 2,5.", ff_add_row: "Lägg till rad", ff_remove_row: "Ta bort rad",
  ff_row: "rad", ff_no_rows: "Inga rader ännu.", ff_actions: "Åtgärder", ff_username: "användarnamn",
});
extend("en", {
  ff_yes: "Yes", ff_no: "No", ff_choose: "– Choose –", ff_empty: "Not filled in", ff_required: "required",
  ff_not_number: "Write a number, for example 2.5.", ff_add_row: "Add row", ff_remove_row: "Remove row",
  ff_row: "row", ff_no_rows: "No rows yet.", ff_actions: "Actions", ff_username: "user name",
});

let counter = 0;
const uid = (base) => `f-${base.replace(/[^A-Za-z0-9_-]/g, "_")}-${++counter}`;

// Numbers are shown and typed with a decimal comma (Swedish), sent as JSON numbers.
export function formatNumber(n) {
  return n === null || n === undefined ? "" : String(n).replace(".", ",");
}
export function parseNumber(text) {
  const clean = String(text).trim().replace(/\s/g, "").replace(/\u2212/g, "-").replace(",", ".");
  if (clean === "") return { value: null };
  const n = Number(clean);
  return Number.isFinite(n) && /^-?\d*\.?\d+$|^-?\d+\.?$/.test(clean) ? { value: n } : { error: t("ff_not_number") };
}

function personOptions(field, participants) {
  if (!participants) return null;
  const role = field.person_role;
  const seen = new Set();
  return participants.filter((p) => (!role || p.role === role) && !seen.has(p.username) && seen.add(p.username))
    .map((p) => ({ value: p.username, label: p.name ? `${p.name} (${p.username})` : p.username }));
}

// The value as text, for read-only fields and cells.
export function displayValue(field, value, participants) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) return t("ff_empty");
  const optionLabel = (v) => (field.options || []).find((o) => o.value === v)?.label ?? v;
  switch (field.type) {
    case "yesno": return value ? t("ff_yes") : t("ff_no");
    case "number": return formatNumber(value);
    case "choice": return optionLabel(value);
    case "multichoice": return (Array.isArray(value) ? value : [value]).map(optionLabel).join(", ");
    case "person": {
      const p = (participants || []).find((x) => x.username === value);
      return p?.name ? `${p.name} (${value})` : value;
    }
    default: return String(value);
  }
}

// A single input for a simple type; used for whole fields and for group cells. `label` is the element
// the control is named by (fields pass their <label>, cells a hidden one). Returns {control, get, set}.
function simpleControl(field, id, describedBy, participants, onChange, compact) {
  const common = { id, "aria-describedby": describedBy || false, "aria-required": field.required ? "true" : false };
  const typing = () => onChange(false);
  const changed = () => onChange(true);
  switch (field.type) {
    case "longtext": {
      const el = h("textarea", { ...common, rows: compact ? 2 : 5, oninput: typing, onchange: changed });
      return { control: el, get: () => ({ value: el.value === "" ? null : el.value }), set: (v) => { el.value = v ?? ""; } };
    }
    case "number": {
      // type=text so a decimal comma is accepted whatever the browser's locale.
      const el = h("input", { ...common, type: "text", inputmode: "decimal", autocomplete: "off", oninput: typing, onchange: changed });
      return { control: el, get: () => parseNumber(el.value), set: (v) => { el.value = formatNumber(v); } };
    }
    case "date": {
      const el = h("input", { ...common, type: "date", onchange: changed });
      return { control: el, get: () => ({ value: el.value || null }), set: (v) => { el.value = v ?? ""; } };
    }
    case "yesno":
      if (compact) {
        const el = h("select", { ...common, onchange: changed },
          h("option", { value: "" }, t("ff_choose")), h("option", { value: "true" }, t("ff_yes")), h("option", { value: "false" }, t("ff_no")));
        return { control: el, get: () => ({ value: el.value === "" ? null : el.value === "true" }),
          set: (v) => { el.value = v === true ? "true" : v === false ? "false" : ""; } };
      }
      break;
    case "choice":
      if (compact || (field.options || []).length > 0) {
        const el = h("select", { ...common, onchange: changed }, h("option", { value: "" }, t("ff_choose")),
          (field.options || []).map((o) => h("option", { value: o.value }, o.label)));
        return { control: el, get: () => ({ value: el.value || null }), set: (v) => { el.value = v ?? ""; } };
      }
      break;
    case "person": {
      const options = personOptions(field, participants);
      if (options) {
        const el = h("select", { ...common, onchange: changed }, h("option", { value: "" }, t("ff_choose")),
          options.map((o) => h("option", { value: o.value }, o.label)));
        return { control: el, get: () => ({ value: el.value || null }), set: (v) => {
          // Someone no longer in the role still shows, rather than silently vanishing.
          if (v && !options.some((o) => o.value === v)) el.append(h("option", { value: v }, v));
          el.value = v ?? "";
        } };
      }
      const el = h("input", { ...common, type: "text", autocomplete: "off", spellcheck: "false", oninput: typing, onchange: changed });
      return { control: el, get: () => ({ value: el.value.trim() || null }), set: (v) => { el.value = v ?? ""; } };
    }
    default:
      break;
  }
  const el = h("input", { ...common, type: "text", oninput: typing, onchange: changed });
  return { control: el, get: () => ({ value: el.value === "" ? null : el.value }), set: (v) => { el.value = v ?? ""; } };
}

// Option lists as radio buttons or checkboxes inside a fieldset (yesno, multichoice).
function optionGroup(field, baseId, type, onChange) {
  const options = field.type === "yesno"
    ? [{ value: "true", label: t("ff_yes") }, { value: "false", label: t("ff_no") }]
    : (field.options || []).map((o) => ({ value: o.value, label: o.label }));
  const inputs = options.map((o, i) => h("input", { type, id: `${baseId}-${i}`, name: baseId, value: o.value, onchange: () => onChange(true) }));
  const items = options.map((o, i) => h("div", { class: "ff-option" }, inputs[i], h("label", { for: `${baseId}-${i}` }, o.label)));
  let get;
  let set;
  if (field.type === "yesno") {
    get = () => { const c = inputs.find((x) => x.checked); return { value: c ? c.value === "true" : null }; };
    set = (v) => inputs.forEach((x) => { x.checked = (v === true && x.value === "true") || (v === false && x.value === "false"); });
  } else {
    get = () => ({ value: inputs.filter((x) => x.checked).map((x) => x.value) });
    set = (v) => { const list = Array.isArray(v) ? v : v == null ? [] : [v]; inputs.forEach((x) => { x.checked = list.includes(x.value); }); };
  }
  return { items, inputs, get, set };
}

function errorList(id) {
  // Filled only when there is something to say, so role=alert announces it as it appears.
  const box = h("div", { id, class: "error ff-errors" });
  return {
    box,
    show(messages) {
      if (!messages.length) { box.replaceChildren(); box.removeAttribute("role"); return; }
      box.setAttribute("role", "alert");
      box.replaceChildren(h("ul", {}, messages.map((m) => h("li", {}, m))));
    },
  };
}

function requiredMark(field) {
  return field.required ? h("span", { class: "ff-required" }, " *", h("span", { class: "visually-hidden" }, ` (${t("ff_required")})`)) : null;
}

// One field of a form. opts: { participants, readOnly, onChange(immediate), extra (nodes after errors) }
export function createField(field, { participants = null, readOnly = false, onChange = () => {} } = {}) {
  const id = uid(field.id);
  const helpId = field.help ? `${id}-help` : null;
  const errId = `${id}-err`;
  const errors = errorList(errId);
  const help = field.help ? h("p", { class: "help", id: helpId }, field.help) : null;
  const example = field.example && !readOnly ? h("p", { class: "help" }, `${t("ff_example")}: ${field.example}`) : null;
  const extra = h("div", { class: "ff-extra" });
  let current = field.value ?? null;
  let api;

  if (readOnly) {
    const valueBox = h("div", { class: "ff-value", id });
    const draw = (v) => {
      current = v;
      if (field.type === "group") valueBox.replaceChildren(groupReadOnly(field, v, participants));
      else if (field.type === "longtext" && v) valueBox.replaceChildren(...String(v).split("\n").flatMap((line, i) => (i ? [h("br"), line] : [line])));
      else valueBox.replaceChildren(displayValue(field, v, participants));
    };
    draw(current);
    const root = h("div", { class: "field ff-readonly", hidden: field.visible === false },
      h("p", { class: "ff-label", id: `${id}-label` }, field.label), help, valueBox, errors.box, extra);
    return { id: field.id, root, element: valueBox, extra, readOnly: true, get: () => ({ value: current }), set: draw,
      showErrors: (list) => errors.show(list.map((e) => e.message)), setVisible: (v) => { root.hidden = !v; } };
  }

  const describedBy = [helpId, errId].filter(Boolean).join(" ");
  let root;
  if (field.type === "group") {
    api = groupWidget(field, id, describedBy, participants, onChange);
    root = h("div", { class: "field ff-group", hidden: field.visible === false },
      h("fieldset", { "aria-describedby": describedBy },
        h("legend", {}, field.label, requiredMark(field)), help, api.node, errors.box, extra));
  } else if (field.type === "yesno" || field.type === "multichoice") {
    const group = optionGroup(field, id, field.type === "yesno" ? "radio" : "checkbox", onChange);
    api = { get: group.get, set: group.set, focus: group.inputs[0], controls: group.inputs };
    root = h("div", { class: "field", hidden: field.visible === false },
      h("fieldset", { "aria-describedby": describedBy, class: "ff-options" + (field.type === "yesno" ? " ff-inline" : "") },
        h("legend", {}, field.label, requiredMark(field)), help, group.items), errors.box, extra);
  } else {
    const c = simpleControl(field, id, describedBy, participants, onChange, false);
    api = { get: c.get, set: c.set, focus: c.control, controls: [c.control] };
    root = h("div", { class: "field", hidden: field.visible === false },
      h("label", { for: id }, field.label, requiredMark(field)), help, example, c.control, errors.box, extra);
  }
  api.set(current);
  return {
    id: field.id, root, extra, readOnly: false,
    get element() { return api.focus; },
    get: api.get,
    set: (v) => { current = v; api.set(v); },
    showErrors(list) {
      const columnLabel = (c) => (field.columns || []).find((x) => x.id === c)?.label ?? c;
      errors.show(list.map((e) => (e.row ? `${t("ff_row")} ${e.row}${e.column ? ` (${columnLabel(e.column)})` : ""}: ${e.message}` : e.message)));
      const bad = list.length > 0;
      for (const c of api.controls || []) c.setAttribute("aria-invalid", bad ? "true" : "false");
      if (api.markCells) api.markCells(list);
    },
    setVisible: (v) => { root.hidden = !v; },
  };
}
extend("sv", { ff_example: "Exempel" });
extend("en", { ff_example: "Example" });

function groupReadOnly(field, rows, participants) {
  const list = Array.isArray(rows) ? rows : [];
  if (!list.length) return h("p", {}, t("ff_no_rows"));
  return h("table", { class: "ff-table" },
    h("thead", {}, h("tr", {}, (field.columns || []).map((c) => h("th", { scope: "col" }, c.label)))),
    h("tbody", {}, list.map((row) => h("tr", {}, (field.columns || []).map((c) =>
      h("td", {}, displayValue(c, row?.[c.id], participants)))))));
}

// A group: an editable table, one row per entry; cells typed by the columns.
function groupWidget(field, id, describedBy, participants, onChange) {
  const columns = field.columns || [];
  const tbody = h("tbody");
  const empty = h("p", { class: "muted" }, t("ff_no_rows"));
  let rows = [];  // [{tr, cells: {colId: control}}]
  let rowSeq = 0;

  const renumber = () => {
    rows.forEach((row, i) => {
      const n = i + 1;
      for (const c of columns) row.labels[c.id].textContent = `${c.label}, ${t("ff_row")} ${n}`;
      row.remove.textContent = `${t("ff_remove_row")} ${n}`;
      row.remove.setAttribute("aria-label", `${t("ff_remove_row")} ${n} – ${field.label}`);
    });
    empty.hidden = rows.length > 0;
  };

  const addRow = (values = {}, focus = false) => {
    const seq = ++rowSeq;
    const cells = {};
    const labels = {};
    const tds = columns.map((c) => {
      const cellId = `${id}-r${seq}-${c.id.replace(/[^A-Za-z0-9_-]/g, "_")}`;
      const ctl = c.type === "multichoice"
        ? multiCell(c, cellId, onChange)
        : simpleControl(c, cellId, false, participants, onChange, true);
      ctl.set(values?.[c.id] ?? null);
      cells[c.id] = ctl;
      labels[c.id] = h("label", { for: cellId, class: "visually-hidden" });
      return h("td", { "data-label": c.label }, labels[c.id], ctl.control);
    });
    const row = { cells, labels };
    row.remove = h("button", { type: "button", class: "secondary", onclick: () => {
      const at = rows.indexOf(row);
      rows.splice(at, 1);
      row.tr.remove();
      renumber();
      onChange(true);
      // Keep keyboard focus near where it was.
      (rows[at] || rows[at - 1])?.remove.focus() ?? add.focus();
    } });
    row.tr = h("tr", {}, tds, h("td", {}, row.remove));
    rows.push(row);
    tbody.append(row.tr);
    renumber();
    if (focus) Object.values(cells)[0]?.control.focus();
  };

  const add = h("button", { type: "button", class: "secondary", onclick: () => addRow({}, true) },
    `${t("ff_add_row")}`, h("span", { class: "visually-hidden" }, ` – ${field.label}`));

  const table = h("div", { class: "ff-table-wrap" }, h("table", { class: "ff-table" },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label, c.required ? " *" : "")),
      h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("ff_actions"))))),
    tbody));

  return {
    node: [table, empty, h("p", {}, add)],
    focus: add,
    controls: [],
    get() {
      const out = [];
      for (const row of rows) {
        const obj = {};
        for (const c of columns) {
          const r = row.cells[c.id].get();
          if (r.error) return { error: `${c.label}: ${r.error}` };
          if (r.value !== null && !(Array.isArray(r.value) && r.value.length === 0)) obj[c.id] = r.value;
        }
        out.push(obj);
      }
      return { value: out };
    },
    set(v) {
      rows.forEach((r) => r.tr.remove());
      rows = [];
      for (const r of Array.isArray(v) ? v : []) addRow(r);
      renumber();
    },
    markCells(list) {
      for (const row of rows) for (const c of columns) row.cells[c.id].control.setAttribute("aria-invalid", "false");
      for (const e of list) {
        const row = e.row ? rows[e.row - 1] : null;
        const cell = row && e.column ? row.cells[e.column] : null;
        if (cell) {
          cell.control.setAttribute("aria-invalid", "true");
          const ids = new Set((cell.control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
          ids.add(`${id}-err`);
          cell.control.setAttribute("aria-describedby", [...ids].join(" "));
        }
      }
    },
  };
}

// Checkboxes inside a table cell (a multichoice column).
function multiCell(field, cellId, onChange) {
  const group = optionGroup(field, cellId, "checkbox", onChange);
  const control = h("div", { id: cellId, role: "group", tabindex: "-1" }, group.items);
  return { control, get: group.get, set: group.set };
}

// "form.field", "form.field#2", "form.group[2].col", "form.group#1[3].col" -> {field, row, column}.
export function parseErrorPath(path, formId) {
  if (!path) return null;
  let rest = String(path);
  if (formId && rest.startsWith(formId + ".")) rest = rest.slice(formId.length + 1);
  const m = /^([^.#[]+)(?:#\d+)?(?:\[(\d+)\](?:\.(.+))?)?$/.exec(rest);
  if (!m) return { field: rest };
  return { field: m[1], row: m[2] ? Number(m[2]) : null, column: m[3] || null };
}
