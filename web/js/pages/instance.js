// One instance (/processer/:id): its phases and steps as a timeline, the actions on open steps, the
// participants, budgets, documents and the history (audit log).
import * as api from "../api.js";
import { h, show, announce, formatDate, replacePreserving } from "../dom.js";
import { t, extend, currentLanguage } from "../i18n.js";
import * as live from "../live.js";
import { commentStore, commentThread, openCount } from "../comments.js";

extend("sv", {
  in_back: "Alla processer", in_timeline: "Faser och steg", in_participants: "Deltagare", in_budgets: "Budget",
  in_documents: "Dokument", in_history: "Historik", st_pending: "Väntar", st_active: "Pågår", st_completed: "Klar",
  in_status_active: "Pågår", in_status_completed: "Avslutad", in_status: "Status", in_unit: "Enhet",
  in_workflow: "Arbetsgång", in_current_phase: "Aktuell fas", in_completed_by: "Klarmarkerat av",
  in_occurrences: "Tillfällen", in_next_due: "Nästa tillfälle senast", in_signed_by: "Underskrivet av",
  in_forms: "Formulär", in_add_occurrence: "Lägg till tillfälle", in_complete: "Klarmarkera steget",
  in_send_back: "Skicka tillbaka", in_send_back_to: "Skicka tillbaka till", in_reason: "Anledning",
  in_reason_missing: "Skriv en anledning.", in_sign_off: "Skriv under", in_no_participants: "Inga deltagare ännu.",
  in_no_documents: "Inga dokument ännu.", in_documents_hidden: "Dokumenten visas inte för din roll.",
  in_history_hidden: "Historiken visas inte för din roll.", in_no_history: "Ingen historik ännu.",
  in_when: "Tid", in_who: "Vem", in_what: "Händelse", in_detail: "Detalj", in_previous: "Föregående",
  in_next: "Nästa", in_page: "Visar {from}–{to} av {total}", in_of: "av", in_actions: "Åtgärder",
  in_done_complete: "Steget är klarmarkerat.", in_done_send_back: "Steget är skickat tillbaka.",
  in_done_sign_off: "Du har skrivit under.", in_done_occurrence: "Tillfälle {n} är tillagt.",
  in_occurrence: "tillfälle", in_download: "Ladda ned", in_version: "version", in_started: "Startad",
  in_completed_at: "Klar", in_step_help: "Om steget", in_organisation_wide: "hela organisationen",
  in_signoff_pending: "Väntar på underskrift", in_per_person: "Per person",
  ev_instance_create: "Processen startades", ev_instance_complete: "Processen avslutades",
  ev_instance_reopen: "Processen öppnades igen", ev_phase_start: "Fas startade", ev_phase_complete: "Fas klar",
  ev_step_open: "Steg öppnades", ev_step_complete: "Steg klarmarkerades", ev_step_reopen: "Steg öppnades igen",
  ev_step_send_back: "Steg skickades tillbaka", ev_step_signoff: "Underskrift", ev_field_set: "Fält ändrades",
  ev_occurrence_add: "Tillfälle lades till", ev_participant_assign: "Deltagare lades till",
  ev_participant_remove: "Deltagare togs bort", ev_document_create: "Dokument skapades",
  ev_document_failed: "Dokument kunde inte skapas", ev_transition: "Övergång",
  in_add_participant: "Lägg till deltagare", in_role: "Roll", in_person: "Person", in_choose: "Välj…",
  in_username_help: "Skriv personens användarnamn.", in_remove: "Ta bort", in_missing_choice: "Välj en roll och en person.",
  in_done_assign: "{name} är tillagd som {role}.", in_done_remove: "{name} är borttagen som {role}.",
  in_form_target: "Formulär", in_document_target: "Dokument", in_role_target: "Roll",
  ev_comment_add: "Kommentar skrevs", ev_comment_resolve: "Kommentar markerades som löst",
  ev_comment_reopen: "Kommentar öppnades igen", ev_field_restore: "Fält återställdes", in_comments: "Kommentarer",
});
extend("en", {
  in_back: "All processes", in_timeline: "Phases and steps", in_participants: "Participants", in_budgets: "Budget",
  in_documents: "Documents", in_history: "History", st_pending: "Waiting", st_active: "In progress", st_completed: "Done",
  in_status_active: "In progress", in_status_completed: "Completed", in_status: "Status", in_unit: "Unit",
  in_workflow: "Workflow", in_current_phase: "Current phase", in_completed_by: "Completed by",
  in_occurrences: "Occurrences", in_next_due: "Next occurrence due", in_signed_by: "Signed off by",
  in_forms: "Forms", in_add_occurrence: "Add occurrence", in_complete: "Mark the step as done",
  in_send_back: "Send back", in_send_back_to: "Send back to", in_reason: "Reason",
  in_reason_missing: "Write a reason.", in_sign_off: "Sign off", in_no_participants: "No participants yet.",
  in_no_documents: "No documents yet.", in_documents_hidden: "Documents are not shown for your role.",
  in_history_hidden: "The history is not shown for your role.", in_no_history: "No history yet.",
  in_when: "Time", in_who: "Who", in_what: "Event", in_detail: "Detail", in_previous: "Previous",
  in_next: "Next", in_page: "Showing {from}–{to} of {total}", in_of: "of", in_actions: "Actions",
  in_done_complete: "The step is done.", in_done_send_back: "The step has been sent back.",
  in_done_sign_off: "You have signed off.", in_done_occurrence: "Occurrence {n} has been added.",
  in_occurrence: "occurrence", in_download: "Download", in_version: "version", in_started: "Started",
  in_completed_at: "Done", in_step_help: "About the step", in_organisation_wide: "whole organisation",
  in_signoff_pending: "Waiting for sign-off", in_per_person: "Per person",
  ev_instance_create: "Process started", ev_instance_complete: "Process completed",
  ev_instance_reopen: "Process reopened", ev_phase_start: "Phase started", ev_phase_complete: "Phase done",
  ev_step_open: "Step opened", ev_step_complete: "Step done", ev_step_reopen: "Step reopened",
  ev_step_send_back: "Step sent back", ev_step_signoff: "Sign-off", ev_field_set: "Field changed",
  ev_occurrence_add: "Occurrence added", ev_participant_assign: "Participant added",
  ev_participant_remove: "Participant removed", ev_document_create: "Document created",
  ev_document_failed: "Document could not be created", ev_transition: "Transition",
  in_add_participant: "Add participant", in_role: "Role", in_person: "Person", in_choose: "Choose…",
  in_username_help: "Type the person's user name.", in_remove: "Remove", in_missing_choice: "Choose a role and a person.",
  in_done_assign: "{name} has been added as {role}.", in_done_remove: "{name} has been removed as {role}.",
  in_form_target: "Form", in_document_target: "Document", in_role_target: "Role",
  ev_comment_add: "Comment written", ev_comment_resolve: "Comment resolved",
  ev_comment_reopen: "Comment reopened", ev_field_restore: "Field restored", in_comments: "Comments",
});

const HISTORY_PAGE = 20;
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");
const number = (n) => (n === null || n === undefined ? "" : new Intl.NumberFormat(currentLanguage() === "en" ? "en-GB" : "sv-SE", { maximumFractionDigits: 2 }).format(n));
const stateWord = (state) => (["pending", "active", "completed"].includes(state) ? t(`st_${state}`) : state);
const dateTime = (text) => (text ? text.replace("T", " ").replace(/:\d\dZ$/, "").replace(/Z$/, "") : "");
const safeId = (text) => String(text).replace(/[^A-Za-z0-9_-]/g, "_");

export async function render(main, params, context, focusId = null) {
  const id = params.id;
  const base = `/api/instances/${encodeURIComponent(id)}`;
  const comments = commentStore(id);
  let [instance, documents] = await Promise.all([
    api.get(base),
    api.get(`${base}/documents`).catch((error) => ({ error })),
    comments.load(),
  ]);
  // What follows from the instance; derived again whenever a live event brings a new one.
  let roleLabel, allSteps, stepLabel, formLabels, formLabel, myRoles, labels;
  const me = context?.user?.username;
  const broad = ["administrator", "utvecklingsledare"].includes(context?.user?.global_role);
  function derive() {
    roleLabel = (role) => instance.roles?.find((r) => r.id === role)?.label || role;
    allSteps = instance.phases.flatMap((p) => p.steps);
    stepLabel = (stepId) => allSteps.find((s) => s.id === stepId)?.label || stepId;
    formLabels = new Map((instance.forms || []).map((f) => [f.id, f.label]));
    formLabel = (formId) => formLabels.get(formId) || formId;
    // Actions are offered to those who can take them: the step's roles, or a global role that may act
    // in any instance of its scope. The server still decides.
    myRoles = new Set((instance.participants || []).filter((p) => p.username === me).map((p) => p.role));
    labels = {
      phase: new Map(instance.phases.map((p) => [p.id, p.label])),
      step: new Map(allSteps.map((s) => [s.id, s.label])),
      form: formLabels,
      role: new Map((instance.roles || []).map((r) => [r.id, r.label])),
      document: new Map((documents.items || []).map((d) => [d.document, d.label])),
    };
  }
  derive();
  const holds = (roles) => broad || roles.some((r) => myRoles.has(r));
  const rerender = async (message, focus) => {
    await render(main, params, context, focus);
    announce(message);
  };
  // Assigning and removing participants: offered to administrators, utvecklingsledare and participants
  // (a role may be allowed to assign others); the server decides and its refusal is shown.
  const mayManage = () => broad || myRoles.size > 0;
  let users = null;  // [{username, name}] for the person list, or null for a text input
  if (mayManage() && broad) {
    try {
      users = (await api.get("/api/users?limit=500")).items || [];
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 401) throw error;
      users = null;  // 403 for those who may not list users: they type the user name instead
    }
  }
  // The error box of the participants section, shared by the form and the remove buttons.
  const participantErrors = h("div", { class: "errors", id: "participant-errors" });

  // Each part of the page in a box of its own, so a live event redraws only the part it concerns.
  const summaryBox = h("div", { id: "instance-summary" });
  const timelineBox = h("div", { id: "timeline-box" });
  const participantsBox = h("div", { id: "participants-box" });
  const budgetsBox = h("div", { id: "budgets-box" });
  const documentsBox = h("div", { id: "documents-box" });
  const history = h("div", { id: "history" });
  const drawSummary = () => replacePreserving(summaryBox, summary(instance));
  const drawTimeline = () => replacePreserving(timelineBox,
    h("ol", { class: "timeline" }, instance.phases.map((phase) => phaseItem(phase))));
  const drawParticipants = () => replacePreserving(participantsBox,
    participantsView(instance, roleLabel, mayManage() ? removeParticipant : null),
    mayManage() ? assignForm() : null);
  const drawBudgets = () => replacePreserving(budgetsBox, instance.budgets?.length
    ? h("section", { "aria-labelledby": "h-budgets" }, h("h2", { id: "h-budgets" }, t("in_budgets")), budgetsView(instance.budgets))
    : null);
  const drawDocuments = () => replacePreserving(documentsBox, documentsView(documents));

  // The live channel, for those who may read the instance's history (the server decides; others would
  // only be refused).
  const channel = broad || myRoles.size > 0 ? live.join(id) : null;
  show(main,
    h("p", {}, h("a", { href: "/processer" }, "← ", t("in_back"))),
    h("h1", {}, instance.title),
    channel ? h("div", { class: "live-bar" }, channel.statusElement(),
      channel.presenceElement({ formLabel: (f) => formLabel(f), me })) : null,
    summaryBox,
    h("section", { "aria-labelledby": "h-timeline" },
      h("h2", { id: "h-timeline" }, t("in_timeline")), timelineBox),
    h("section", { "aria-labelledby": "h-participants" },
      h("h2", { id: "h-participants" }, t("in_participants")), participantsBox),
    budgetsBox,
    h("section", { "aria-labelledby": "h-documents" },
      h("h2", { id: "h-documents" }, t("in_documents")), documentsBox),
    h("section", { "aria-labelledby": "h-history" }, h("h2", { id: "h-history" }, t("in_history")), history),
  );
  drawSummary();
  drawTimeline();
  drawParticipants();
  drawBudgets();
  drawDocuments();
  let historyOffset = 0;
  const historyPage = (offset) => { historyOffset = offset; return loadHistory(history, base, offset, labels, historyPage); };
  await historyPage(0);
  if (focusId) {
    const target = document.getElementById(focusId);
    if (target) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }

  // ---- Live: what others do appears without a reload -----------------------------------------------
  // One load at a time per part; a change arriving meanwhile loads once more afterwards.
  const coalesced = (load) => {
    let running = null;
    let again = false;
    const run = async () => {
      if (running) { again = true; return running; }
      running = (async () => {
        do {
          again = false;
          try {
            await load();
          } catch (error) {
            if (error instanceof api.ApiError && error.status === 401) throw error;
            console.warn("live update:", error);
          }
        } while (again);
      })();
      try { await running; } finally { running = null; }
      return undefined;
    };
    return run;
  };
  const stillShown = () => main.contains(timelineBox);
  const refreshInstance = coalesced(async () => {
    const fresh = await api.get(base);
    if (!stillShown()) return;
    instance = fresh;
    derive();
    drawSummary();
    drawTimeline();
    drawParticipants();
    drawBudgets();
  });
  const refreshDocuments = coalesced(async () => {
    const fresh = await api.get(`${base}/documents`).catch((error) => {
      if (error instanceof api.ApiError && error.status === 401) throw error;
      return { error };
    });
    if (!stillShown()) return;
    documents = fresh;
    derive();
    drawDocuments();
  });
  const refreshComments = coalesced(async () => {
    await comments.load();
    if (stillShown()) drawTimeline();
  });
  // The history follows at its first page only (someone reading an older page is not moved), and at
  // most twice a second while someone types in a form.
  let historyTimer = null;
  const refreshHistory = () => {
    if (historyOffset !== 0) return;
    clearTimeout(historyTimer);
    historyTimer = setTimeout(() => { if (stillShown() && historyOffset === 0) historyPage(0); }, 500);
  };
  channel?.on("instance", {
    event(event) {
      const action = String(event.action || "");
      if (action === "field.set") {
        // nothing on this page shows values, only the history
      } else if (action.startsWith("comment.")) {
        refreshComments();
      } else if (action.startsWith("document.")) {
        refreshDocuments();
      } else {
        refreshInstance();
      }
      refreshHistory();
    },
    reset() {
      refreshInstance();
      refreshDocuments();
      refreshComments();
      refreshHistory();
    },
  });

  function showParticipantError(error) {
    if (error instanceof api.ApiError && error.status === 401) throw error;
    const list = error instanceof api.ApiError && error.errors.length ? error.errors.map((e) => e.message) : [error.message];
    participantErrors.setAttribute("role", "alert");
    participantErrors.replaceChildren(h("ul", {}, list.map((m) => h("li", {}, m))));
  }

  // "Lägg till deltagare": a role and a person (a list when the user may list users, else a user name).
  function assignForm() {
    const role = h("select", { id: "pa-role", name: "role", required: true, "aria-required": "true" },
      h("option", { value: "" }, t("in_choose")),
      (instance.roles || []).filter((r) => !r.scope || r.scope === "instance")
        .map((r) => h("option", { value: r.id }, r.label || r.id)));
    const person = users
      ? h("select", { id: "pa-user", name: "username", required: true, "aria-required": "true" },
        h("option", { value: "" }, t("in_choose")),
        [...users].sort((a, b) => (a.name || a.username).localeCompare(b.name || b.username, "sv"))
          .map((u) => h("option", { value: u.username }, u.name ? `${u.name} (${u.username})` : u.username)))
      : h("input", { id: "pa-user", name: "username", type: "text", required: true, "aria-required": "true",
        autocomplete: "off", spellcheck: "false", "aria-describedby": "pa-user-help" });
    const submit = h("button", { type: "submit", id: "pa-submit" }, t("in_add_participant"));
    const form = h("form", { class: "assign-participant", novalidate: true, "aria-labelledby": "pa-h" },
      h("h3", { id: "pa-h" }, t("in_add_participant")),
      h("div", { class: "field" }, h("label", { for: role.id }, t("in_role"), " *"), role),
      h("div", { class: "field" }, h("label", { for: person.id }, t("in_person"), " *"),
        users ? null : h("p", { class: "help", id: "pa-user-help" }, t("in_username_help")), person),
      submit, participantErrors);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      participantErrors.replaceChildren();
      participantErrors.removeAttribute("role");
      const username = person.value.trim();
      for (const control of [role, person]) control.setAttribute("aria-invalid", control.value.trim() ? "false" : "true");
      if (!role.value || !username) {
        showParticipantError(new Error(t("in_missing_choice")));
        (role.value ? person : role).focus();
        return;
      }
      submit.disabled = true;
      try {
        await api.post(`${base}/participants`, { role: role.value, username });
        const who = users?.find((u) => u.username === username)?.name || username;
        await rerender(fill(t("in_done_assign"), { name: who, role: roleLabel(role.value) }), "h-participants");
      } catch (error) {
        submit.disabled = false;
        showParticipantError(error);
      }
    });
    return form;
  }

  async function removeParticipant(p, button) {
    participantErrors.replaceChildren();
    participantErrors.removeAttribute("role");
    button.disabled = true;
    try {
      await api.del(`${base}/participants/${encodeURIComponent(p.role)}/${encodeURIComponent(p.username)}`);
      await rerender(fill(t("in_done_remove"), { name: p.name || p.username, role: roleLabel(p.role) }), "h-participants");
    } catch (error) {
      button.disabled = false;
      showParticipantError(error);
    }
  }

  function phaseItem(phase) {
    const headingId = `phase-${safeId(phase.id)}`;
    return h("li", { class: `phase state-${phase.state}`, "aria-current": phase.state === "active" ? "step" : false },
      h("h3", { id: headingId }, phase.label),
      h("p", { class: "phase-meta" },
        h("span", { class: `state-${phase.state}` }, stateWord(phase.state)),
        phase.due ? [" · ", t("due"), " ", formatDate(phase.due)] : null,
        phase.overdue ? [" · ", h("span", { class: "overdue" }, t("overdue"))] : null),
      h("ol", { class: "steps" }, phase.steps.map((step) => stepItem(step))));
  }

  function stepItem(step) {
    const headingId = `step-${safeId(step.id)}`;
    const signoffs = step.signoffs || [];
    const facts = [];
    const fact = (label, ...value) => facts.push(h("li", {}, h("span", { class: "fact-label" }, label, ": "), ...value));
    fact(t("in_status"), h("span", { class: `state-${step.state}` }, stateWord(step.state)));
    if (step.due) fact(t("due"), formatDate(step.due), step.overdue ? [" ", h("span", { class: "overdue" }, `(${t("overdue")})`)] : "");
    else if (step.overdue) fact(t("due"), h("span", { class: "overdue" }, t("overdue")));
    if (step.next_due) fact(t("in_next_due"), formatDate(step.next_due));
    if (step.repeats) fact(t("in_occurrences"), String(step.occurrences ?? 0));
    if (step.state === "completed") {
      fact(t("in_completed_at"), formatDate(step.completed_at), step.completed_by ? ` – ${t("in_completed_by").toLowerCase()} ${step.completed_by}` : "");
    }
    if (step.signed_off_by_roles?.length) fact(t("in_signed_by"), step.signed_off_by_roles.map(roleLabel).join(", "));
    const unsigned = signoffs.filter((s) => !(step.signed_off_by_roles || []).includes(s.role));
    if (step.state === "active" && unsigned.length) fact(t("in_signoff_pending"), unsigned.map((s) => s.label || roleLabel(s.role)).join("; "));

    return h("li", { class: `step state-${step.state}` },
      h("h4", { id: headingId }, step.label),
      h("ul", { class: "facts" }, facts),
      step.help && step.state !== "pending" ? h("details", { class: "step-help", id: `sh-${safeId(step.id)}` }, h("summary", {}, t("in_step_help")), h("p", {}, step.help.replace(/\s+/g, " "))) : null,
      step.state !== "pending" ? formLinks(step) : null,
      step.state === "active" && holds([...(step.performers || []), ...unsigned.map((u) => u.role)])
        ? actions(step, headingId, unsigned) : null,
      stepComments(step));
  }

  // "Kommentarer (n)": the step's thread, folded until opened.
  function stepComments(step) {
    if (!comments.available) return null;
    const sid = safeId(step.id);
    const thread = commentThread({
      store: comments, about: { step: step.id }, label: step.label, idBase: `scm-${sid}`,
      participants: () => (instance.participants || []).map((p) => ({ username: p.username, name: p.name })),
      onChange: () => drawTimeline(),
    });
    const open = openCount(comments.forStep(step.id));
    return h("details", { class: "step-comments", id: `sc-${sid}` },
      h("summary", { id: `sc-${sid}-summary` }, t("in_comments"), ` (${open})`,
        h("span", { class: "visually-hidden" }, ` – ${step.label}`)),
      thread.root);
  }

  function formLinks(step) {
    if (!step.forms?.length) return null;
    const links = [];
    for (const form of step.forms) {
      const href = `/processer/${encodeURIComponent(id)}/formular/${encodeURIComponent(form)}`;
      if (step.repeats) {
        for (let n = 1; n <= (step.occurrences || 0); n++) {
          links.push(h("li", {}, h("a", { href: `${href}?occurrence=${n}` }, `${formLabel(form)} – ${t("in_occurrence")} ${n}`)));
        }
      } else {
        links.push(h("li", {}, h("a", { href }, formLabel(form))));
      }
    }
    return links.length ? h("div", { class: "step-forms" }, h("p", { class: "fact-label" }, t("in_forms")), h("ul", {}, links)) : null;
  }

  function actions(step, headingId, unsigned) {
    const errors = h("div", { class: "errors" });
    const showErrors = (error) => {
      const list = error instanceof api.ApiError && error.errors.length ? error.errors.map((e) => e.message) : [error.message];
      errors.setAttribute("role", "alert");
      errors.replaceChildren(h("ul", {}, list.map((m) => h("li", {}, m))));
    };
    const clear = () => { errors.replaceChildren(); errors.removeAttribute("role"); };
    // Runs one server action; on success the page is drawn again with focus back on the step.
    const run = (button, call, message) => async () => {
      clear();
      button.disabled = true;
      try {
        const answer = await call();
        await rerender(typeof message === "function" ? message(answer) : message, headingId);
      } catch (error) {
        if (error instanceof api.ApiError && error.status === 401) throw error;
        button.disabled = false;
        showErrors(error);
      }
    };
    const stepPath = `${base}/steps/${encodeURIComponent(step.id)}`;
    const buttons = [];

    const performs = holds(step.performers || []);
    if (step.repeats && performs) {
      const add = h("button", { type: "button", class: "secondary", id: `act-${safeId(step.id)}-occurrence`, "aria-describedby": headingId }, t("in_add_occurrence"));
      add.addEventListener("click", run(add, () => api.post(`${stepPath}/occurrences`), (a) => fill(t("in_done_occurrence"), { n: a?.occurrence ?? "" })));
      buttons.push(add);
    }
    if (unsigned.length && holds(unsigned.map((u) => u.role))) {
      const sign = h("button", { type: "button", id: `act-${safeId(step.id)}-sign`, "aria-describedby": headingId }, t("in_sign_off"));
      sign.addEventListener("click", run(sign, () => api.post(`${stepPath}/sign-off`), t("in_done_sign_off")));
      buttons.push(sign);
    }
    if (performs) {
      const complete = h("button", { type: "button", id: `act-${safeId(step.id)}-complete`, "aria-describedby": headingId }, t("in_complete"));
      complete.addEventListener("click", run(complete, () => api.post(`${stepPath}/complete`), t("in_done_complete")));
      buttons.push(complete);
    }

    let sendBack = null;
    if (step.send_back_to?.length && performs) {
      const sid = safeId(step.id);
      const target = h("select", { id: `sb-to-${sid}`, required: true },
        step.send_back_to.map((to) => h("option", { value: to }, stepLabel(to))));
      const reason = h("textarea", { id: `sb-reason-${sid}`, required: true, "aria-required": "true", rows: 3 });
      const submit = h("button", { type: "submit", class: "secondary" }, t("in_send_back"));
      sendBack = h("form", { class: "send-back", novalidate: true, "aria-labelledby": `sb-h-${sid}` },
        h("p", { class: "fact-label", id: `sb-h-${sid}` }, t("in_send_back"), h("span", { class: "visually-hidden" }, `: ${step.label}`)),
        h("div", { class: "field" }, h("label", { for: target.id }, t("in_send_back_to")), target),
        h("div", { class: "field" }, h("label", { for: reason.id }, t("in_reason"), " *"), reason),
        submit);
      sendBack.addEventListener("submit", (event) => {
        event.preventDefault();
        if (!reason.value.trim()) {
          reason.setAttribute("aria-invalid", "true");
          showErrors(new Error(t("in_reason_missing")));
          reason.focus();
          return;
        }
        reason.removeAttribute("aria-invalid");
        run(submit, () => api.post(`${stepPath}/send-back`, { to: target.value, reason: reason.value.trim() }), t("in_done_send_back"))();
      });
    }
    return h("div", { class: "step-actions", role: "group", "aria-label": `${t("in_actions")}: ${step.label}` },
      h("div", { class: "buttons" }, buttons), sendBack, errors);
  }
}

function summary(instance) {
  const row = (label, value) => (value ? [h("dt", {}, label), h("dd", {}, value)] : null);
  const phase = instance.phases.find((p) => p.id === instance.current_phase);
  return h("dl", { class: "summary" },
    row(t("in_workflow"), `${instance.workflow_title} (${t("in_version")} ${instance.workflow_version})`),
    row(t("in_unit"), [instance.unit, instance.municipality].filter(Boolean).join(", ")),
    row(t("in_status"), instance.status === "completed" ? t("in_status_completed") : t("in_status_active")),
    row(t("in_current_phase"), phase?.label),
    row(t("in_started"), formatDate(instance.created_at)),
    row(t("in_completed_at"), formatDate(instance.completed_at)));
}

// `remove(p, button)`, when given, puts a "Ta bort" button beside each person the instance itself holds
// (not those taking part organisation-wide), named with the person and the role.
function participantsView(instance, roleLabel, remove) {
  const people = instance.participants || [];
  if (!people.length) return h("p", {}, t("in_no_participants"));
  const order = (instance.roles || []).map((r) => r.id);
  const roles = [...new Set(people.map((p) => p.role))].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  return h("div", { class: "participants" }, roles.map((role) => h("div", { class: "role-group" },
    h("h3", {}, roleLabel(role)),
    h("ul", {}, people.filter((p) => p.role === role).map((p) =>
      h("li", {}, p.name || p.username, p.name ? h("span", { class: "muted" }, ` (${p.username})`) : null,
        p.organisation_wide ? h("span", { class: "muted" }, ` – ${t("in_organisation_wide")}`) : null,
        remove && !p.organisation_wide ? removeButton(p) : null))))));

  function removeButton(p) {
    const button = h("button", { type: "button", class: "secondary small", id: `pr-${safeId(p.role)}-${safeId(p.username)}`,
      "aria-label": `${t("in_remove")} ${p.name || p.username} (${roleLabel(p.role)})` }, t("in_remove"));
    button.addEventListener("click", () => remove(p, button));
    return [" ", button];
  }
}

function budgetsView(budgets) {
  return h("ul", { class: "budgets" }, budgets.map((b) => {
    // "6 av 10 observatörsdagar": the label names the quantity when it ends with the unit.
    const noun = b.unit && b.label.toLowerCase().endsWith(b.unit.toLowerCase()) ? b.label.toLowerCase() : b.unit;
    const text = `${number(b.used)} ${t("in_of")} ${number(b.max)} ${noun || ""}`.trim();
    return h("li", { class: "budget" },
      noun === b.label.toLowerCase() ? null : h("span", { class: "fact-label" }, b.label, ": "), text,
      b.max > 0 ? h("meter", { min: 0, max: b.max, value: Math.min(b.used, b.max), "aria-label": `${b.label}: ${text}`, class: b.used > b.max ? "over" : "" }) : null,
      b.per?.length ? h("ul", { class: "per-person", "aria-label": `${t("in_per_person")}: ${b.label}` },
        b.per.map((p) => h("li", {}, `${p.name}: ${number(p.used)} ${b.unit || ""}`.trim()))) : null);
  }));
}

function documentsView(documents) {
  if (documents.error) {
    const e = documents.error;
    if (e instanceof api.ApiError && e.status === 403) return h("p", {}, t("in_documents_hidden"));
    return h("p", { class: "errors", role: "alert" }, e.message);
  }
  // Newest version first, so the first link named after a document is its latest.
  const items = [...(documents.items || [])].sort((a, b) => (b.created_at || "").localeCompare(a.created_at || "") || b.version - a.version);
  if (!items.length) return h("p", {}, t("in_no_documents"));
  return h("ul", { class: "documents" }, items.map((d) =>
    h("li", {}, h("a", { href: d.href, download: d.file_name || true }, d.label || d.document),
      h("span", { class: "muted" }, ` – ${t("in_version")} ${d.version}, ${dateTime(d.created_at)}${d.created_by ? `, ${d.created_by}` : ""}`))));
}

// What an audit entry concerns, in words: the label of its phase, step, form, role or document rather
// than the id (targets are "phase", "step", "a -> b", "form.field#n", "step#n", "role:x", "document:x").
function targetText(e, labels) {
  const target = String(e.target || "");
  const action = String(e.action || "");
  const one = (map, key) => map?.get(key) || key;
  const pair = (map) => target.split(" -> ").map((x) => one(map, x.trim())).join(" → ");
  if (!target || target.startsWith("instance:")) return "";
  if (action === "transition") return pair(labels.phase);
  if (action === "step.send_back") return pair(labels.step);
  if (action.startsWith("phase.")) return one(labels.phase, target);
  if (action.startsWith("step.")) return one(labels.step, target);
  if (action === "occurrence.add") {
    const [step, n] = target.split("#");
    return `${one(labels.step, step)}${n ? ` – ${t("in_occurrence")} ${n}` : ""}`;
  }
  if (action === "field.set") {
    const m = /^([^.]+)\.([^#]+)(?:#(\d+))?$/.exec(target);
    if (m) return `${one(labels.form, m[1])}: ${m[2]}${m[3] ? ` (${t("in_occurrence")} ${m[3]})` : ""}`;
  }
  if (target.startsWith("role:")) return one(labels.role, target.slice(5));
  if (target.startsWith("document:")) return one(labels.document, target.slice(9));
  return target;
}

// An entry's old and new values: states as words ("Väntar → Pågår"), a sign-off's role by its label.
function changeText(e, labels) {
  if (e.old == null && e.new == null) return "";
  const action = String(e.action || "");
  const stateful = /^(phase|step|instance)\./.test(action);
  const word = (v) => {
    if (v == null || v === "") return "–";
    if (stateful && ["pending", "active", "completed"].includes(v)) return stateWord(v);
    if (action === "step.signoff") return labels.role?.get(v) || v;
    return v;
  };
  if (action === "step.signoff" && e.old == null) return word(e.new);
  return `${word(e.old)} → ${word(e.new)}`;
}

// `page(offset)` shows another page (and remembers which); a live event shows the first one again.
async function loadHistory(box, base, offset, labels = {}, page$ = null) {
  let page;
  try {
    page = await api.get(`${base}/events?limit=${HISTORY_PAGE}&offset=${offset}`);
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 401) throw error;
    replacePreserving(box, error instanceof api.ApiError && error.status === 403
      ? h("p", {}, t("in_history_hidden"))
      : h("p", { class: "errors", role: "alert" }, error.message));
    return;
  }
  const items = page.items || [];
  if (!items.length && offset === 0) {
    replacePreserving(box, h("p", {}, t("in_no_history")));
    return;
  }
  const action = (a) => { const key = `ev_${String(a).replace(/\./g, "_")}`; const w = t(key); return w === key ? a : w; };
  const go = (to) => async () => {
    await (page$ ? page$(to) : loadHistory(box, base, to, labels));
    box.querySelector("table")?.focus();
  };
  const prev = h("button", { type: "button", class: "secondary", id: "history-previous", disabled: offset <= 0, onclick: go(Math.max(0, offset - HISTORY_PAGE)) }, t("in_previous"));
  const next = h("button", { type: "button", class: "secondary", id: "history-next", disabled: offset + items.length >= page.total, onclick: go(offset + HISTORY_PAGE) }, t("in_next"));
  const range = fill(t("in_page"), { from: offset + 1, to: offset + items.length, total: page.total });
  replacePreserving(box,
    h("div", { class: "table-wrap" }, h("table", { class: "history", tabindex: "-1" },
      h("caption", {}, range),
      h("thead", {}, h("tr", {}, [t("in_when"), t("in_who"), t("in_what"), t("in_detail")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, items.map((e) => {
        const what = targetText(e, labels);
        // The detail often repeats the label the target already gave; it is shown only when it adds.
        const detail = e.detail && e.detail !== what ? e.detail : "";
        return h("tr", {},
          h("td", {}, dateTime(e.at)), h("td", {}, e.actor || ""),
          h("td", {}, action(e.action), what ? h("span", { class: "muted" }, ` (${what})`) : null),
          h("td", {}, [detail, changeText(e, labels)].filter(Boolean).join(" · ")));
      })))),
    page.total > HISTORY_PAGE ? h("nav", { class: "pager", "aria-label": t("in_history") }, prev, " ", next) : null);
}
