// A form of an instance (/processer/:id/formular/:form[?occurrence=N]): every field the user may see,
// saved field by field as it changes. Each save carries the version the value was based on, so a change
// someone else made in between is reported (409) instead of being overwritten.
import * as api from "../api.js";
import { h, show, announce } from "../dom.js";
import { t, extend, currentLanguage as currentLang } from "../i18n.js";
import { createField, parseErrorPath, displayValue } from "../form_fields.js";
import * as live from "../live.js";
import { commentStore, commentThread } from "../comments.js";
import { fieldHistoryPanel } from "../field_history.js";
import { offlinePanel } from "../offline_form.js";

extend("sv", {
  fl_comments: "Kommentarer", fl_history: "Historik", fl_merged: "Din ändring slogs ihop med {name} ändring.",
  fl_merged_anon: "Din ändring slogs ihop med en annan ändring av fältet.",
  fl_changed_while: "{name} ändrade fältet medan du skrev. Din text är kvar; när den sparas jämförs den med deras.",
  fl_changed_by: "{name} ändrade fältet.", fl_someone: "Någon", fl_reloaded: "Formuläret är uppdaterat med det senaste.",
  fl_locked_now: "Formuläret har låsts och kan nu bara läsas.",
});
extend("en", {
  fl_comments: "Comments", fl_history: "History", fl_merged: "Your change was merged with {name} change.",
  fl_merged_anon: "Your change was merged with another change of the field.",
  fl_changed_while: "{name} changed the field while you were writing. Your text is kept; when it is saved it is compared with theirs.",
  fl_changed_by: "{name} changed the field.", fl_someone: "Someone", fl_reloaded: "The form has been updated with the latest.",
  fl_locked_now: "The form has been locked and can now only be read.",
});
const fillIn = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");

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

export async function render(main, params, context = {}) {
  const instanceId = params.id;
  const formId = params.form;
  const occurrence = Number(new URLSearchParams(location.search).get("occurrence") || 0) || 0;
  const formPath = `/api/instances/${encodeURIComponent(instanceId)}/forms/${encodeURIComponent(formId)}` +
    (occurrence ? `?occurrence=${occurrence}` : "");

  // The instance gives the participants for person fields and the title; a form can be drawn without it.
  const comments = commentStore(instanceId);
  const [form, instance] = await Promise.all([
    api.get(formPath),
    api.get(`/api/instances/${encodeURIComponent(instanceId)}`).catch(() => null),
    comments.load(),
  ]);
  // Kept as one array, filled again in place when participants change, so person lists and @-completion
  // see the same people.
  const participants = instance?.participants ? [...instance.participants] : null;
  const formOccurrence = Number(form.occurrence ?? occurrence) || 0;
  const me = context.user?.username || null;
  const readOnlyForm = !!form.locked;

  // Per field: what the server last confirmed (value, version), and whether a local change is pending.
  const known = new Map();
  const dirty = new Set();
  const timers = new Map();
  const controllers = new Map();
  const withErrors = new Set();  // fields showing a problem, so "Sparat" does not hide them
  const inflight = new Map();    // field -> the value a save on its way carries
  const lastOther = new Map();   // field -> who else changed it last (from the live channel)
  const remote = new Map();      // field -> {value, version, who}: changed by someone while this person wrote
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
    // "X ändrade fältet" and "slogs ihop" are old news once the person writes on; "medan du skrev" stays.
    if (!remote.has(fieldId)) hideNotice(fieldId);
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
      const before = known.get(fieldId);
      inflight.set(fieldId, read.value);
      try {
        const answer = await api.patch(formPath, {
          fields: { [fieldId]: read.value },
          versions: { [fieldId]: before.version },
        });
        inflight.delete(fieldId);
        // Still dirty (and the draft kept) if the user typed on while this was in flight.
        const typedOn = !same(ctl.get().value, read.value);
        if (!timers.has(fieldId) && !pending.has(fieldId)) {
          dirty.delete(fieldId);
          if (!typedOn) dropDraft(keyOf(fieldId));
        }
        mark(fieldId, []);
        ctl.extra.replaceChildren();
        const newer = remote.get(fieldId);  // someone's change that arrived while this save was on its way
        remote.delete(fieldId);
        hideNotice(fieldId);
        apply(answer, fieldId);
        learn(fieldId, answer.fields);
        const merged = (answer.merged || []).some((m) => (parseErrorPath(m, formId)?.field ?? m) === fieldId);
        if (merged) takeMerged(fieldId, answer, before, typedOn);
        if (newer && newer.version > known.get(fieldId).version) laterChange(fieldId, newer, typedOn);
        setStatus(savedText(), "saved");
      } catch (error) {
        inflight.delete(fieldId);
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
  // if focus was inside it (the user tabbed on while the save was under way), it moves back to the
  // control before it that is still shown, so that the next Tab goes on from there and skips nothing.
  function setVisible(ctl, visible) {
    const root = ctl.root;
    if (!root) return ctl.setVisible(visible);
    const hadFocus = !visible && root.contains(document.activeElement);
    ctl.setVisible(visible);
    root.inert = !visible;
    if (hadFocus) focusNear(root)?.focus();
  }

  function focusNear(gone) {
    const candidates = [...main.querySelectorAll("input, select, textarea, button, a[href], [tabindex]:not([tabindex='-1'])")]
      .filter((e) => !e.disabled && !e.closest("[hidden], [inert]") && e.getClientRects().length > 0)
      // A radio button that is not the checked one of its group is not where Tab stops.
      .filter((e) => !(e.type === "radio" && !e.checked && main.querySelector(`input[type=radio][name="${CSS.escape(e.name)}"]:checked`)));
    const before = candidates.filter((e) => gone.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_PRECEDING);
    return before[before.length - 1] ||
      candidates.find((e) => gone.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING) || null;
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
    remote.delete(fieldId);
    hideNotice(fieldId);
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
  let formElement = null;
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

  // ---- Working together: others' changes as they are saved, who writes where, comments, history -------
  const channel = live.join(instanceId);
  const busy = (id) => dirty.has(id) || timers.has(id) || pending.has(id) || inflight.has(id);
  const sameOccurrence = (o) => (Number(o) || 0) === formOccurrence;
  const fieldBoxes = new Map();  // field -> {typing, notice, commentsButton, commentsPanel, thread, historyButton, historyPanel}
  const formLabels = new Map((instance?.forms || []).map((f) => [f.id, f.label]));
  const genitive = (name) => (currentLang() === "en" ? `${name}'s` : /[sxz]$/i.test(name) ? name : `${name}s`);

  // Sets a control's value, keeping the caret where it was when the person is in it.
  function setField(ctl, value) {
    const el = ctl.element;
    const focused = el && document.activeElement === el && typeof el.selectionStart === "number";
    const caret = focused ? [el.selectionStart, el.selectionEnd] : null;
    ctl.set(value);
    if (caret) {
      try { el.setSelectionRange(Math.min(caret[0], el.value.length), Math.min(caret[1], el.value.length)); } catch { /* not text */ }
    }
  }

  function showNotice(fieldId, text, kind = "") {
    const box = fieldBoxes.get(fieldId)?.notice;
    if (!box) return;
    box.className = "ff-notice" + (kind ? ` ${kind}` : "");
    box.textContent = text;
    box.hidden = !text;
  }
  const hideNotice = (fieldId) => showNotice(fieldId, "");

  // A PATCH answered with the field under `merged`: the server combined this save with someone else's
  // change. The merged text is shown unless the person has typed on since; then their text stays, and the
  // next save starts from the version they began with, so that it is merged or shown as a conflict again
  // rather than writing over the other change.
  function takeMerged(fieldId, answer, before, typedOn) {
    const f = (answer.fields || []).find((x) => x.id === fieldId);
    const ctl = controllers.get(fieldId);
    if (!f || !ctl) return;
    if (typedOn) known.set(fieldId, before);
    else setField(ctl, f.value ?? null);
    const who = lastOther.get(fieldId);
    const text = who ? fillIn(t("fl_merged"), { name: genitive(who) }) : t("fl_merged_anon");
    showNotice(fieldId, text, "merged");
    announce(text);
  }

  // A change saved after this page's own save of the field (it arrived while the save was on its way):
  // shown, unless the person has typed on; then it waits for their next save, as any change meanwhile.
  function laterChange(fieldId, change, typedOn) {
    const ctl = controllers.get(fieldId);
    if (typedOn) {
      remote.set(fieldId, change);
      showNotice(fieldId, fillIn(t("fl_changed_while"), { name: change.who }), "changed-while");
      return;
    }
    known.set(fieldId, { value: change.value, version: change.version });
    setField(ctl, change.value);
    showNotice(fieldId, fillIn(t("fl_changed_by"), { name: change.who }), "changed");
  }

  // A field.set from the channel for this form.
  function remoteField(event) {
    const id = event.field;
    const ctl = controllers.get(id);
    if (!ctl) return;
    const mine = known.get(id);
    if (typeof event.version === "number" && event.version <= mine.version) return;  // already here
    if (me && event.actor === me && inflight.has(id)) return;  // this page's own save: its answer decides
    const who = event.actor_name || event.actor || t("fl_someone");
    if (event.actor !== me) lastOther.set(id, who);
    const value = event.value ?? null;
    if (!busy(id)) {
      known.set(id, { value, version: event.version ?? mine.version });
      setField(ctl, value);
      remote.delete(id);
      if (event.actor !== me) showNotice(id, fillIn(t("fl_changed_by"), { name: who }), "changed");
      // A choice can show or hide other fields: the server says which.
      if (CHOICE_TYPES.has(typeOf.get(id))) refresh();
      return;
    }
    const input = ctl.get();
    if (!input.error && same(input.value, value)) {
      // The server now holds exactly what is on screen.
      known.set(id, { value, version: event.version ?? mine.version });
      if (!timers.has(id) && !pending.has(id) && !inflight.has(id)) {
        dirty.delete(id);
        dropDraft(keyOf(id));
      }
      return;
    }
    // Unsaved input is never touched. The version stays the one the input started from, so the next save
    // goes through the conflict rules (merged, or both shown side by side).
    remote.set(id, { value, version: event.version, who });
    showNotice(id, fillIn(t("fl_changed_while"), { name: who }), "changed-while");
  }

  // Loads the form again: fields without unsaved input take the server's values (and `take`, those
  // named, in any case); which fields show follows the server. A form locked or unlocked meanwhile is
  // drawn anew, unsaved input kept as drafts and offered back.
  async function refresh({ take = [] } = {}) {
    let fresh;
    try {
      fresh = await api.get(formPath);
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 401) throw error;
      return;
    }
    if (!main.isConnected || !document.body.contains(formElement)) return;
    if (!!fresh.locked !== readOnlyForm) {
      for (const id of dirty) keepDraft(id);
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await render(main, params, context);
      announce(fresh.locked ? t("fl_locked_now") : t("fl_reloaded"));
      return;
    }
    for (const f of fresh.fields || []) {
      const ctl = controllers.get(f.id);
      if (!ctl) continue;
      const mine = known.get(f.id);
      if (take.includes(f.id) || (!busy(f.id) && (f.version !== mine.version || !same(f.value, mine.value)))) {
        known.set(f.id, { value: f.value ?? null, version: f.version ?? 0 });
        setField(ctl, f.value ?? null);
      }
      setVisible(ctl, f.visible !== false);
    }
    for (const f of form.fields) learn(f.id, fresh.fields);
  }

  async function refreshParticipants() {
    try {
      const fresh = await api.get(`/api/instances/${encodeURIComponent(instanceId)}`);
      if (participants && fresh.participants) participants.splice(0, participants.length, ...fresh.participants);
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 401) throw error;
    }
  }

  function drawTyping() {
    const others = channel.others();
    for (const [id, box] of fieldBoxes) {
      const here = others.filter((p) => p.form === formId && sameOccurrence(p.occurrence) && p.field === id);
      const text = live.typingText(here);
      box.typing.hidden = !text;
      if (box.typing.textContent !== text) box.typing.textContent = text;
    }
  }

  function drawCommentCounts() {
    for (const [id, box] of fieldBoxes) {
      if (!box.commentsButton) continue;
      const n = comments.forField(formId, formOccurrence, id).filter((c) => !c.resolved).length;
      box.count.textContent = String(n);
      box.count.className = "count" + (n ? " has-open" : "");
      box.thread?.draw();
    }
  }

  for (const field of form.fields) {
    const ctl = controllers.get(field.id);
    const sid = String(field.id).replace(/[^A-Za-z0-9_-]/g, "_");
    const box = {
      typing: h("p", { class: "ff-typing", hidden: true }),
      notice: h("p", { class: "ff-notice", hidden: true }),
      commentsPanel: h("div", { class: "ff-panel", id: `fp-${sid}-comments`, hidden: true }),
      historyPanel: h("div", { class: "ff-panel", id: `fp-${sid}-history`, hidden: true }),
      count: h("span", { class: "count" }, "0"),
    };
    const label = h("span", { class: "visually-hidden" }, ` – ${field.label}`);
    if (comments.available) {
      box.commentsButton = h("button", { type: "button", class: "secondary small ff-tool", id: `ft-${sid}-comments`,
        "aria-expanded": "false", "aria-controls": box.commentsPanel.id },
      t("fl_comments"), " (", box.count, ")", label.cloneNode(true));
      box.commentsButton.addEventListener("click", () => toggleComments(field, box));
    }
    box.historyButton = h("button", { type: "button", class: "secondary small ff-tool", id: `ft-${sid}-history`,
      "aria-expanded": "false", "aria-controls": box.historyPanel.id }, t("fl_history"), label);
    box.historyButton.addEventListener("click", () => toggleHistory(field, box, sid));
    fieldBoxes.set(field.id, box);
    ctl.root.dataset.field = field.id;
    // "Eva Berg skriver…" sits by the field's label; the tools and panels under the field.
    const labelNode = ctl.root.firstElementChild;
    if (labelNode && labelNode.tagName === "LABEL") labelNode.after(box.typing);
    else ctl.root.prepend(box.typing);
    ctl.root.append(h("div", { class: "ff-live" }, box.notice,
      h("div", { class: "ff-tools" }, box.commentsButton, box.historyButton), box.commentsPanel, box.historyPanel));
  }

  function toggleComments(field, box, open = null) {
    const show = open ?? box.commentsPanel.hidden;
    if (show && !box.thread) {
      box.thread = commentThread({
        store: comments, about: { field: { form: formId, occurrence: formOccurrence, field: field.id } },
        label: field.label, participants: () => participants || [], idBase: `cm-${String(field.id).replace(/[^A-Za-z0-9_-]/g, "_")}`,
        onChange: drawCommentCounts,
      });
      box.commentsPanel.replaceChildren(box.thread.root);
    }
    box.commentsPanel.hidden = !show;
    box.commentsButton.setAttribute("aria-expanded", show ? "true" : "false");
    if (show) box.thread.draw();
  }

  function toggleHistory(field, box, sid) {
    const show = box.historyPanel.hidden;
    box.historyPanel.hidden = !show;
    box.historyButton.setAttribute("aria-expanded", show ? "true" : "false");
    if (!show) { box.historyPanel.replaceChildren(); return; }
    const panel = fieldHistoryPanel({
      field, formPath, occurrence, participants, idBase: `hi-${sid}`,
      canRestore: !readOnlyForm && field.rights === "edit",
      currentVersion: () => known.get(field.id).version,
      onRestored: async () => {
        // The restored value replaces whatever was typed in the field: the person chose it.
        clearTimeout(timers.get(field.id));
        timers.delete(field.id);
        dirty.delete(field.id);
        dropDraft(keyOf(field.id));
        remote.delete(field.id);
        hideNotice(field.id);
        mark(field.id, []);
        controllers.get(field.id).extra.replaceChildren();
        await refresh({ take: [field.id] });
        setStatus(savedText(), "saved");
      },
    });
    box.historyPanel.replaceChildren(panel.root);
    panel.load();
  }

  channel.on("form", {
    event(event) {
      const action = String(event.action || "");
      if (action === "field.set") {
        if (event.form === formId && sameOccurrence(event.occurrence)) remoteField(event);
      } else if (action.startsWith("comment.")) {
        comments.load().then(drawCommentCounts);
      } else if (action.startsWith("participant.")) {
        refreshParticipants();
      } else if (/^(step|phase|instance)\./.test(action) || action === "transition") {
        refresh();  // the form may have been locked or opened again
      }
    },
    presence: drawTyping,
    reset() {
      refresh();
      comments.load().then(drawCommentCounts);
      refreshParticipants();
    },
    hello({ resumed }) {
      if (!resumed) {
        // Connected just now: what was saved between loading the form and connecting is fetched once.
        refresh();
        return;
      }
      // Back after a lost connection: what could not be saved meanwhile is sent now.
      if (dirty.size || timers.size) flushAll();
    },
  });

  formElement = h("form", { class: "card spegla-form", "aria-label": heading, novalidate: true,
    onsubmit: (event) => { event.preventDefault(); flushAll(); } },
  fieldNodes,
  editable ? h("div", { class: "form-actions" },
    h("button", { type: "submit" }, t("fm_save_now")),
    h("span", { class: "visually-hidden" }, t("fm_status")), status) : null,
  problems);

  show(main,
    h("p", {}, h("a", { href: `/processer/${encodeURIComponent(instanceId)}` }, "← ", t("fm_back"),
      instance?.title ? `: ${instance.title}` : "")),
    h("h1", {}, heading),
    instance ? h("p", { class: "muted" }, [instance.unit, instance.municipality].filter(Boolean).join(", ")) : null,
    h("div", { class: "live-bar" }, channel.statusElement(),
      channel.presenceElement({ formLabel: (id) => formLabels.get(id) || id, me })),
    form.help ? h("p", { class: "form-help" }, form.help) : null,
    readOnlyForm ? h("p", { class: "notice", role: "note" }, t("fm_locked")) : null,
    editable ? h("p", { class: "muted" }, t("fm_autosave"), " ", t("fm_required_note")) : null,
    form.fields.length === 0 ? h("p", {}, t("fm_no_fields")) : null,
    formElement,
    offlinePanel({ instanceId, formId, occurrence: formOccurrence, editable,
      labelOf: (id) => form.fields.find((f) => f.id === id)?.label,
      onImported: (changed) => refresh({ take: changed }) }),
  );
  if (editable) setStatus("");
  if (!readOnlyForm) for (const f of form.fields) if (f.rights === "edit") offerDraft(f.id);
  drawTyping();
  drawCommentCounts();

  // Where this person writes, for the others' "skriver…": a field while focus is in its control.
  const fieldOf = (el) => {
    const root = el?.closest?.("[data-field]");
    return root && formElement.contains(root) && !el.closest(".ff-live") ? root.dataset.field : null;
  };
  channel.setFocus(formId, formOccurrence, null);
  formElement.addEventListener("focusin", (event) => channel.setFocus(formId, formOccurrence, fieldOf(event.target)));
  formElement.addEventListener("focusout", () => setTimeout(() => {
    if (channel.closed) return;
    channel.setFocus(formId, formOccurrence, fieldOf(document.activeElement));
  }, 0));

  // A link from Mina uppgifter (?falt=field) opens that field's comments and starts there.
  const wanted = new URLSearchParams(location.search).get("falt");
  const box = wanted ? fieldBoxes.get(wanted) : null;
  if (box?.commentsButton) {
    toggleComments(form.fields.find((f) => f.id === wanted), box, true);
    box.commentsPanel.scrollIntoView({ block: "center" });
    return box.commentsButton;
  }
  return null;
}
