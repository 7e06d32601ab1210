// A form of an instance (/processer/:id/formular/:form[?occurrence=N]): every field the user may see,
// saved field by field as it changes. Each save carries the version the value was based on, so a change
// someone else made in between is reported (409) instead of being overwritten.
import * as api from "../api.js";
import { h, show, announce } from "../dom.js";
import { t, extend } from "../i18n.js";
import { createField, parseErrorPath, displayValue } from "../form_fields.js";

extend("sv", {
  fm_back: "Tillbaka till processen", fm_occurrence: "tillfälle", fm_locked: "Formuläret är låst och kan bara läsas.",
  fm_saving: "Sparar…", fm_saved: "Sparat", fm_unsaved: "Ändringar väntar på att sparas…",
  fm_invalid: "Kunde inte spara: kontrollera fälten som är markerade.",
  fm_conflict: "Kunde inte spara: någon annan har ändrat ett fält. Hämta det senaste innan du fortsätter.",
  fm_failed: "Kunde inte spara", fm_reload: "Hämta senaste", fm_reloaded: "Det senaste värdet är hämtat.",
  fm_save_now: "Spara nu", fm_autosave: "Ändringar sparas automatiskt.", fm_status: "Sparstatus",
  fm_no_fields: "Det finns inga fält du kan se i det här formuläret.", fm_fields: "Formulärets fält",
  fm_required_note: "Fält markerade med * är obligatoriska.", fm_still_errors: "Fält med fel är inte sparade.", fm_offline: "Kunde inte nå servern. Försök igen.",
  fm_cf_title: "Någon annan har ändrat fältet", fm_cf_theirs: "Sparat av", fm_cf_yours: "Ditt förslag",
  fm_cf_keep: "Behåll deras", fm_cf_mine: "Använd mitt", fm_cf_merge: "Slå ihop",
  fm_cf_status: "Kunde inte spara: någon annan har ändrat fältet. Välj vilket värde som ska gälla.",
  fm_cf_kept: "Det sparade värdet behålls.", fm_cf_merged: "Båda texterna är inlagda i fältet. Redigera och spara.",
  fm_draft: "Osparad ändring från", fm_draft_restore: "Återställ", fm_draft_discard: "Släng",
});
extend("en", {
  fm_back: "Back to the process", fm_occurrence: "occurrence", fm_locked: "The form is locked and can only be read.",
  fm_saving: "Saving…", fm_saved: "Saved", fm_unsaved: "Changes are waiting to be saved…",
  fm_invalid: "Could not save: check the marked fields.",
  fm_conflict: "Could not save: someone else changed a field. Fetch the latest before you continue.",
  fm_failed: "Could not save", fm_reload: "Fetch latest", fm_reloaded: "The latest value has been fetched.",
  fm_save_now: "Save now", fm_autosave: "Changes are saved automatically.", fm_status: "Save status",
  fm_no_fields: "There are no fields you can see in this form.", fm_fields: "The form's fields",
  fm_required_note: "Fields marked * are required.", fm_still_errors: "Fields with errors are not saved.", fm_offline: "Could not reach the server. Try again.",
  fm_cf_title: "Someone else has changed the field", fm_cf_theirs: "Saved by", fm_cf_yours: "Your version",
  fm_cf_keep: "Keep theirs", fm_cf_mine: "Use mine", fm_cf_merge: "Merge",
  fm_cf_status: "Could not save: someone else changed the field. Choose which value to keep.",
  fm_cf_kept: "The saved value is kept.", fm_cf_merged: "Both texts are in the field. Edit and save.",
  fm_draft: "Unsaved change from", fm_draft_restore: "Restore", fm_draft_discard: "Discard",
});

const DEBOUNCE_MS = 800;

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const TEXT_TYPES = new Set(["text", "longtext"]);
const when = (iso) => new Date(iso).toLocaleString("sv-SE", { dateStyle: "short", timeStyle: "short" });

// Changes not yet saved are kept in localStorage too, per instance, form, occurrence and field, with the
// version they started from, so a crashed or closed browser does not lose them.
const draftKey = (instance, form, occurrence, field) => `spegla.draft:${instance}:${form}:${occurrence}:${field}`;
function readDraft(key) {
  try { return JSON.parse(localStorage.getItem(key) || "null"); } catch { return null; }
}
function writeDraft(key, draft) {
  try { localStorage.setItem(key, JSON.stringify(draft)); } catch { /* storage full or off: no draft */ }
}
function dropDraft(key) {
  try { localStorage.removeItem(key); } catch { /* nothing kept */ }
}

export async function render(main, params) {
  const instanceId = params.id;
  const formId = params.form;
  const occurrence = Number(new URLSearchParams(location.search).get("occurrence") || 0) || 0;
  const formPath = `/api/instances/${encodeURIComponent(instanceId)}/forms/${encodeURIComponent(formId)}` +
    (occurrence ? `?occurrence=${occurrence}` : "");

  // The instance gives the participants for person fields and the title; a form can be drawn without it.
  const [form, instance] = await Promise.all([
    api.get(formPath),
    api.get(`/api/instances/${encodeURIComponent(instanceId)}`).catch(() => null),
  ]);
  const participants = instance?.participants || null;
  const readOnlyForm = !!form.locked;

  // Per field: what the server last confirmed (value, version), and whether a local change is pending.
  const known = new Map();
  const dirty = new Set();
  const timers = new Map();
  const controllers = new Map();
  const withErrors = new Set();  // fields showing a problem, so "Sparat" does not hide them
  for (const f of form.fields) known.set(f.id, { value: f.value ?? null, version: f.version ?? 0 });

  const status = h("p", { id: "form-status", class: "form-status", role: "status", "aria-live": "polite" });
  const problems = h("div", { class: "errors" });
  const setStatus = (text, kind = "") => {
    status.className = "form-status" + (kind ? ` ${kind}` : "");
    status.textContent = text;
  };
  const showProblems = (messages) => {
    if (!messages.length) { problems.replaceChildren(); problems.removeAttribute("role"); return; }
    problems.setAttribute("role", "alert");
    problems.replaceChildren(h("ul", {}, messages.map((m) => h("li", {}, m))));
  };

  let chain = Promise.resolve();
  const pending = new Set();
  const keyOf = (fieldId) => draftKey(instanceId, formId, occurrence, fieldId);
  const labelOf = (fieldId) => form.fields.find((f) => f.id === fieldId)?.label || fieldId;

  // The draft keeps the version its first unsaved change started from.
  function keepDraft(fieldId) {
    const read = controllers.get(fieldId)?.get();
    if (!read || read.error) return;
    const base = known.get(fieldId);
    if (same(read.value, base.value)) { dropDraft(keyOf(fieldId)); return; }
    const old = readDraft(keyOf(fieldId));
    writeDraft(keyOf(fieldId), { value: read.value, version: old ? old.version : base.version, at: new Date().toISOString() });
  }

  function schedule(fieldId, immediate) {
    dirty.add(fieldId);
    keepDraft(fieldId);
    clearTimeout(timers.get(fieldId));
    if (immediate) enqueue(fieldId);
    else {
      setStatus(t("fm_unsaved"), "saving");
      timers.set(fieldId, setTimeout(() => enqueue(fieldId), DEBOUNCE_MS));
    }
  }

  function enqueue(fieldId) {
    clearTimeout(timers.get(fieldId));
    timers.delete(fieldId);
    pending.add(fieldId);
    chain = chain.then(flush, flush);
    return chain;
  }

  function flushAll() {
    for (const id of new Set([...timers.keys(), ...dirty])) enqueue(id);
    return chain;
  }

  // Fields go one at a time: a write is all or nothing, so one invalid field must not hold back the rest.
  async function flush() {
    while (pending.size) {
      const fieldId = pending.values().next().value;
      pending.delete(fieldId);
      const ctl = controllers.get(fieldId);
      if (!ctl) continue;
      const read = ctl.get();
      if (read.error) {
        mark(fieldId, [{ message: read.error }]);
        setStatus(t("fm_invalid"), "problem");
        continue;
      }
      if (same(read.value, known.get(fieldId).value)) {
        if (!timers.has(fieldId) && !pending.has(fieldId)) dirty.delete(fieldId);
        dropDraft(keyOf(fieldId));
        mark(fieldId, []);
        setStatus(savedText(), "saved");
        continue;
      }
      setStatus(t("fm_saving"), "saving");
      // A choice whose answer was seen before shows and hides its dependent fields at once; the
      // server's answer below has the last word.
      foresee(fieldId, read.value);
      try {
        const answer = await api.patch(formPath, {
          fields: { [fieldId]: read.value },
          versions: { [fieldId]: known.get(fieldId).version },
        });
        // Still dirty (and the draft kept) if the user typed on while this was in flight.
        if (!timers.has(fieldId) && !pending.has(fieldId)) {
          dirty.delete(fieldId);
          if (same(ctl.get().value, read.value)) dropDraft(keyOf(fieldId));
        }
        mark(fieldId, []);
        ctl.extra.replaceChildren();
        apply(answer, fieldId);
        learn(fieldId, answer.fields);
        setStatus(savedText(), "saved");
      } catch (error) {
        handleError(error, fieldId);
      }
    }
  }

  // Takes in the whole form the server answered with: new versions, values and which fields show.
  function apply(answer, writtenId) {
    for (const f of answer.fields || []) {
      const ctl = controllers.get(f.id);
      const mine = known.get(f.id);
      if (!mine) continue;
      if (f.id === writtenId) {
        known.set(f.id, { value: f.value ?? null, version: f.version });
      } else if (!dirty.has(f.id) && same(f.value, mine.value)) {
        // Only a version whose value is the one on screen: otherwise a later save would overwrite
        // someone else's change without a conflict.
        known.set(f.id, { value: mine.value, version: f.version });
      }
      if (ctl) setVisible(ctl, f.visible !== false);
    }
  }

  // Shows or hides a field. A hidden field is inert as well as hidden, so nothing in it can take focus;
  // if focus was inside it (the user tabbed on while the save was under way), it moves to the next
  // control that is still shown, or back to the field just changed.
  function setVisible(ctl, visible) {
    const root = ctl.root;
    if (!root) return ctl.setVisible(visible);
    const hadFocus = !visible && root.contains(document.activeElement);
    ctl.setVisible(visible);
    root.inert = !visible;
    if (hadFocus) nextFocus(root)?.focus();
  }

  function nextFocus(after) {
    const candidates = [...main.querySelectorAll("input, select, textarea, button, a[href], [tabindex]:not([tabindex='-1'])")]
      .filter((e) => !e.disabled && !e.closest("[hidden], [inert]") && e.getClientRects().length > 0);
    return candidates.find((e) => after.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING) ||
      candidates[candidates.length - 1] || null;
  }

  // Which fields showed after a choice field had a given answer, as the server last said: a choice set
  // to an answer seen before can show and hide its dependents before the save returns.
  const CHOICE_TYPES = new Set(["yesno", "choice", "multichoice"]);
  const learnt = new Map();
  const typeOf = new Map(form.fields.map((f) => [f.id, f.type]));
  const answerKey = (fieldId, value) => `${fieldId}\u0000${JSON.stringify(value ?? null)}`;
  function learn(fieldId, fields) {
    if (!CHOICE_TYPES.has(typeOf.get(fieldId)) || !fields) return;
    const written = fields.find((f) => f.id === fieldId);
    if (!written) return;
    learnt.set(answerKey(fieldId, written.value), fields.map((f) => [f.id, f.visible !== false]));
  }
  function foresee(fieldId, value) {
    const seen = learnt.get(answerKey(fieldId, value));
    if (!seen) return;
    for (const [id, visible] of seen) {
      const ctl = controllers.get(id);
      if (ctl && id !== fieldId) setVisible(ctl, visible);
    }
  }

  function handleError(error, fieldId) {
    if (!(error instanceof api.ApiError)) {
      setStatus(t("fm_offline"), "problem");
      return;
    }
    // A conflict that comes with both values shows them side by side at the field.
    if (error.status === 409 && error.code === "conflict") {
      let shown = 0;
      for (const e of error.errors) {
        const where = parseErrorPath(e.field, formId);
        if (where && controllers.has(where.field) && e.current) showConflict(where.field, e, shown++ === 0);
      }
      if (shown) {
        setStatus(t("fm_cf_status"), "problem");
        return;
      }
    }
    const byField = new Map();
    const general = [];
    for (const e of error.errors.length ? error.errors : [{ message: error.message }]) {
      const where = parseErrorPath(e.field, formId);
      const id = where && controllers.has(where.field) ? where.field : null;
      if (id) {
        if (!byField.has(id)) byField.set(id, []);
        byField.get(id).push({ message: e.message, row: where.row, column: where.column });
      } else general.push(e.message);
    }
    for (const [id, list] of byField) mark(id, list);
    if (error.status === 409 && error.code === "conflict") {
      const target = controllers.get(byField.keys().next().value || fieldId);
      if (target) offerReload(target);
      setStatus(t("fm_conflict"), "problem");
    } else if (error.status === 422) {
      setStatus(t("fm_invalid"), "problem");
    } else {
      setStatus(`${t("fm_failed")}: ${error.message}`, "problem");
    }
    showProblems(general.filter((m) => !byField.size || m !== error.message));
  }

  // "Någon annan har ändrat fältet": what is saved now and what this user wrote, and a choice.
  function showConflict(fieldId, entry, focus) {
    const ctl = controllers.get(fieldId);
    const field = form.fields.find((f) => f.id === fieldId);
    const current = entry.current;
    const yours = "yours" in entry ? entry.yours : ctl.get().value ?? null;
    const base = `fc-${fieldId}`;
    const show = (v) => (v !== null && typeof v === "object" && !Array.isArray(v)) || (Array.isArray(v) && v.some((x) => typeof x === "object"))
      ? JSON.stringify(v, null, 1) : displayValue(field, v, participants);
    const box = (id, label, value) => [
      h("label", { for: id }, label),
      h("textarea", { id, readonly: true, rows: field.type === "longtext" ? 4 : 2, class: "fc-value" }, show(value)),
    ];
    const named = (text) => [text, h("span", { class: "visually-hidden" }, ` – ${labelOf(fieldId)}`)];
    const settle = (value, message) => {
      known.set(fieldId, { value: current.value ?? null, version: current.version });
      ctl.set(value);
      ctl.extra.replaceChildren();
      mark(fieldId, []);
      if (message) { setStatus(message); announce(message); }
    };
    const keep = () => {
      settle(current.value ?? null, t("fm_cf_kept"));
      dirty.delete(fieldId);
      dropDraft(keyOf(fieldId));
      ctl.element?.focus?.();
    };
    const mine = () => {
      settle(yours);
      dropDraft(keyOf(fieldId));
      schedule(fieldId, true);
    };
    const merge = () => {
      const merged = [current.value, yours].filter((v) => v !== null && v !== undefined && v !== "").join("\n\n");
      settle(merged, t("fm_cf_merged"));
      dirty.add(fieldId);
      dropDraft(keyOf(fieldId));
      keepDraft(fieldId);
      ctl.element?.focus?.();
    };
    const group = h("div", { role: "group", class: "fc-conflict notice", tabindex: "-1", "aria-labelledby": `${base}-title` },
      h("h3", { id: `${base}-title` }, t("fm_cf_title"), h("span", { class: "visually-hidden" }, `: ${labelOf(fieldId)}`)),
      h("p", { class: "muted" }, current.updated_at ? when(current.updated_at) : ""),
      h("div", { class: "fc-sides" },
        h("div", {}, box(`${base}-theirs`, `${t("fm_cf_theirs")} ${current.author || "?"}`, current.value)),
        h("div", {}, box(`${base}-yours`, t("fm_cf_yours"), yours))),
      h("div", { class: "form-actions" },
        h("button", { type: "button", class: "secondary", onclick: keep }, named(t("fm_cf_keep"))),
        h("button", { type: "button", onclick: mine }, named(t("fm_cf_mine"))),
        TEXT_TYPES.has(field.type) ? h("button", { type: "button", class: "secondary", onclick: merge }, named(t("fm_cf_merge"))) : null));
    mark(fieldId, []);
    withErrors.add(fieldId);
    ctl.extra.replaceChildren(group);
    if (focus) group.focus();
  }

  // A draft left from an earlier visit that differs from what is saved is offered at its field.
  function offerDraft(fieldId) {
    const ctl = controllers.get(fieldId);
    const draft = readDraft(keyOf(fieldId));
    if (!draft) return;
    if (same(draft.value, known.get(fieldId).value)) { dropDraft(keyOf(fieldId)); return; }
    const named = (text) => [text, h("span", { class: "visually-hidden" }, ` – ${labelOf(fieldId)}`)];
    const restore = () => {
      ctl.extra.replaceChildren();
      ctl.set(draft.value);
      // Saved from the version the draft started from: a change made since is a conflict, shown as such.
      known.set(fieldId, { value: known.get(fieldId).value, version: draft.version ?? 0 });
      schedule(fieldId, true);
      ctl.element?.focus?.();
    };
    const discard = () => {
      dropDraft(keyOf(fieldId));
      ctl.extra.replaceChildren();
      ctl.element?.focus?.();
    };
    ctl.extra.replaceChildren(h("div", { class: "fc-draft notice", role: "group", "aria-label": `${t("fm_draft")} – ${labelOf(fieldId)}` },
      h("p", {}, `${t("fm_draft")} ${when(draft.at)}: `, h("q", {}, displayValue(form.fields.find((f) => f.id === fieldId), draft.value, participants))),
      h("button", { type: "button", onclick: restore }, named(t("fm_draft_restore"))), " ",
      h("button", { type: "button", class: "secondary", onclick: discard }, named(t("fm_draft_discard")))));
  }

  function offerReload(ctl) {
    ctl.extra.replaceChildren(h("button", { type: "button", class: "secondary", onclick: () => reload(ctl.id) },
      t("fm_reload"), h("span", { class: "visually-hidden" }, ` – ${form.fields.find((f) => f.id === ctl.id)?.label || ""}`)));
  }

  // Fetches the form again; the conflicting field and every field without local changes take the
  // server's value, so nothing the user is still typing elsewhere is lost.
  async function reload(fieldId) {
    try {
      const fresh = await api.get(formPath);
      for (const f of fresh.fields || []) {
        const ctl = controllers.get(f.id);
        if (!ctl) continue;
        if (f.id === fieldId || !dirty.has(f.id)) {
          known.set(f.id, { value: f.value ?? null, version: f.version });
          ctl.set(f.value ?? null);
          dirty.delete(f.id);
          dropDraft(keyOf(f.id));
          clearTimeout(timers.get(f.id));
          timers.delete(f.id);
        }
        setVisible(ctl, f.visible !== false);
      }
      for (const f of form.fields) learn(f.id, fresh.fields);
      const ctl = controllers.get(fieldId);
      mark(fieldId, []);
      ctl.extra.replaceChildren();
      showProblems([]);
      setStatus(t("fm_reloaded"));
      announce(t("fm_reloaded"));
      ctl.element?.focus?.();
    } catch (error) {
      handleError(error, fieldId);
    }
  }

  const fieldNodes = [];
  const mark = (fieldId, list) => {
    if (list.length) withErrors.add(fieldId); else withErrors.delete(fieldId);
    controllers.get(fieldId)?.showErrors(list);
  };
  const savedText = () => `${t("fm_saved")} ${new Date().toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit" })}` +
    (withErrors.size ? `. ${t("fm_still_errors")}` : "");

  for (const field of form.fields) {
    const readOnly = readOnlyForm || field.rights !== "edit";
    const ctl = createField(field, { participants, readOnly, onChange: (immediate) => schedule(field.id, immediate) });
    controllers.set(field.id, ctl);
    fieldNodes.push(ctl.root);
  }
  // Fields the server says are not shown start inert too, and what the form's answers show is learnt.
  for (const ctl of controllers.values()) if (ctl.root?.hidden) ctl.root.inert = true;
  for (const f of form.fields) learn(f.id, form.fields);
  const editable = form.fields.some((f) => !readOnlyForm && f.rights === "edit");
  const heading = form.label + (occurrence ? ` – ${t("fm_occurrence")} ${occurrence}` : "");

  show(main,
    h("p", {}, h("a", { href: `/processer/${encodeURIComponent(instanceId)}` }, "← ", t("fm_back"),
      instance?.title ? `: ${instance.title}` : "")),
    h("h1", {}, heading),
    instance ? h("p", { class: "muted" }, [instance.unit, instance.municipality].filter(Boolean).join(", ")) : null,
    form.help ? h("p", { class: "form-help" }, form.help) : null,
    readOnlyForm ? h("p", { class: "notice", role: "note" }, t("fm_locked")) : null,
    editable ? h("p", { class: "muted" }, t("fm_autosave"), " ", t("fm_required_note")) : null,
    form.fields.length === 0 ? h("p", {}, t("fm_no_fields")) : null,
    h("form", { class: "card spegla-form", "aria-label": heading, novalidate: true,
      onsubmit: (event) => { event.preventDefault(); flushAll(); } },
      fieldNodes,
      editable ? h("div", { class: "form-actions" },
        h("button", { type: "submit" }, t("fm_save_now")),
        h("span", { class: "visually-hidden" }, t("fm_status")), status) : null,
      problems),
  );
  if (editable) setStatus("");
  if (!readOnlyForm) for (const f of form.fields) if (f.rights === "edit") offerDraft(f.id);
}
