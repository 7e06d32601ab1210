// Comments on a field or a step (docs/collaboration.md, "Comments and mentions"): a store of an
// instance's comments, and a thread to read, write, resolve and reopen them, with @mentions marked and
// completed from the instance's participants.
import * as api from "./api.js";
import { h, announce, withMentions, replacePreserving } from "./dom.js";
import { t, extend, currentLanguage } from "./i18n.js";

extend("sv", {
  cm_comments: "Kommentarer", cm_none: "Inga kommentarer ännu.", cm_new: "Ny kommentar", cm_send: "Skicka",
  cm_help: "Skriv @ och ett användarnamn för att nämna någon; den personen ser kommentaren i Mina uppgifter.",
  cm_resolve: "Markera som löst", cm_reopen: "Öppna igen", cm_resolved: "Löst", cm_resolved_by: "Löst av {who}",
  cm_sent: "Kommentaren är skickad.", cm_empty: "Skriv en kommentar först.", cm_done_resolve: "Kommentaren är markerad som löst.",
  cm_done_reopen: "Kommentaren är öppen igen.", cm_suggestions: "{n} förslag. Välj med pil upp och ned och Enter.",
  cm_open_count: "{n} öppna", cm_people: "Personer att nämna", cm_by: "av", cm_unavailable: "Kommentarer kan inte visas just nu.",
});
extend("en", {
  cm_comments: "Comments", cm_none: "No comments yet.", cm_new: "New comment", cm_send: "Send",
  cm_help: "Type @ and a user name to mention someone; they see the comment in My tasks.",
  cm_resolve: "Mark as resolved", cm_reopen: "Reopen", cm_resolved: "Resolved", cm_resolved_by: "Resolved by {who}",
  cm_sent: "The comment has been sent.", cm_empty: "Write a comment first.", cm_done_resolve: "The comment is marked as resolved.",
  cm_done_reopen: "The comment is open again.", cm_suggestions: "{n} suggestions. Choose with arrow up and down and Enter.",
  cm_open_count: "{n} open", cm_people: "People to mention", cm_by: "by", cm_unavailable: "Comments cannot be shown right now.",
});

const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");

export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(currentLanguage() === "en" ? "en-GB" : "sv-SE", { dateStyle: "short", timeStyle: "short" });
}

// One comment in the shape the page uses, whatever the server's spelling of where it belongs.
export function normalizeComment(c) {
  const target = c.target && typeof c.target === "object" ? c.target : null;
  const place = target && !target.step ? target : c.field && typeof c.field === "object" ? c.field : null;
  const resolvedAt = c.resolved_at ?? null;
  return {
    id: c.id,
    form: place?.form ?? c.form ?? c.form_id ?? null,
    occurrence: Number(place?.occurrence ?? c.occurrence ?? 0) || 0,
    field: place ? (place.field ?? place.id ?? null) : (typeof c.field === "string" ? c.field : c.field_id ?? null),
    step: target?.step ?? (typeof c.step === "object" && c.step ? c.step.id : c.step) ?? c.step_id ?? null,
    body: c.body ?? "",
    author: c.author ?? "",
    authorName: c.author_name ?? c.author_display_name ?? c.author ?? "",
    at: c.created_at ?? c.at ?? null,
    resolved: c.resolved === true || (c.resolved !== false && !!(resolvedAt || c.resolved_by)),
    resolvedBy: c.resolved_by_name ?? c.resolved_by ?? null,
    resolvedAt,
    mentions: Array.isArray(c.mentions) ? c.mentions.map((m) => (typeof m === "object" ? m.username : m)) : null,
    raw: c,
  };
}

const listOf = (answer) => (Array.isArray(answer) ? answer : answer?.items || []);

// The comments of an instance the caller may see; `available` is false when the server offers none
// (not allowed, or a server without comments).
export function commentStore(instanceId) {
  const base = `/api/instances/${encodeURIComponent(instanceId)}/comments`;
  const store = {
    available: false,
    items: [],
    async load() {
      try {
        store.items = listOf(await api.get(base)).map(normalizeComment);
        store.available = true;
      } catch (error) {
        if (error instanceof api.ApiError && error.status === 401) throw error;
        store.available = false;
        store.items = [];
      }
      return store;
    },
    forField(form, occurrence, field) {
      return store.items.filter((c) => c.field === field && c.form === form && c.occurrence === (Number(occurrence) || 0));
    },
    forStep(step) {
      return store.items.filter((c) => c.step === step && !c.field);
    },
    add: (about, body) => api.post(base, { ...about, body }),
    resolve: (id) => api.post(`${base}/${encodeURIComponent(id)}/resolve`),
    reopen: (id) => api.post(`${base}/${encodeURIComponent(id)}/reopen`),
  };
  return store;
}

export const openCount = (list) => list.filter((c) => !c.resolved).length;

// The thread of one field or step. about: {field: {form, occurrence, field}} or {step}; label: what it is
// about (for screen readers); participants(): [{username, name}] for completing @mentions; idBase: unique
// per thread and stable across redraws. Returns {root, draw(), focus()}; draw() shows the store's comments.
export function commentThread({ store, about, label, participants = () => [], idBase, onChange = () => {} }) {
  const list = h("div", { class: "comment-list-box" });
  const errors = h("div", { class: "errors", id: `${idBase}-errors` });
  const textarea = h("textarea", { id: `${idBase}-new`, rows: 3, "aria-describedby": `${idBase}-help ${idBase}-errors`,
    autocomplete: "off" });
  const send = h("button", { type: "button", id: `${idBase}-send` }, t("cm_send"),
    h("span", { class: "visually-hidden" }, ` – ${t("cm_comments")}: ${label}`));
  const suggest = mentionCompletion(textarea, participants, idBase);
  // Not a <form>: a thread sits inside the form of the fields, and forms do not nest.
  const form = h("div", { class: "comment-form" },
    h("label", { for: textarea.id }, t("cm_new"), h("span", { class: "visually-hidden" }, ` – ${label}`)),
    h("p", { class: "help", id: `${idBase}-help` }, t("cm_help")),
    h("div", { class: "mention-wrap" }, textarea, suggest.listbox),
    suggest.status,
    h("div", { class: "buttons" }, send),
    errors);
  const root = h("div", { class: "comments", role: "region", "aria-label": `${t("cm_comments")}: ${label}`, id: `${idBase}-region` },
    list, form);

  const showErrors = (error) => {
    if (!error) { errors.replaceChildren(); errors.removeAttribute("role"); return; }
    const messages = error instanceof api.ApiError && error.errors.length ? error.errors.map((e) => e.message) : [error.message];
    errors.setAttribute("role", "alert");
    errors.replaceChildren(h("ul", {}, messages.map((m) => h("li", {}, m))));
  };

  // Ctrl+Enter (or ⌘+Enter) sends from the text area, as the button does.
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.defaultPrevented) {
      event.preventDefault();
      send.click();
    }
  });
  send.addEventListener("click", async () => {
    suggest.close();
    const body = textarea.value.trim();
    if (!body) {
      textarea.setAttribute("aria-invalid", "true");
      showErrors(new Error(t("cm_empty")));
      textarea.focus();
      return;
    }
    textarea.removeAttribute("aria-invalid");
    showErrors(null);
    send.disabled = true;
    try {
      await store.add(about, body);
      textarea.value = "";
      await store.load();
      draw();
      onChange();
      announce(t("cm_sent"));
      // onChange may have drawn the thread anew (the instance page does): the text area by its id.
      (document.getElementById(textarea.id) || textarea).focus();
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 401) throw error;
      textarea.setAttribute("aria-invalid", "true");
      showErrors(error);
    } finally {
      send.disabled = false;
    }
  });

  function mine() {
    if (about.step) return store.forStep(about.step);
    const f = about.field;
    return store.forField(f.form, f.occurrence, f.field);
  }

  // A username as the person's name when they take part (the server names the resolver by username).
  const nameOf = (username) => (participants() || []).find((p) => p?.username === username)?.name || username;

  function item(c) {
    const toggleId = `${idBase}-c${c.id}-toggle`;
    const toggle = h("button", { type: "button", class: "secondary small", id: toggleId },
      c.resolved ? t("cm_reopen") : t("cm_resolve"),
      h("span", { class: "visually-hidden" }, ` – ${c.authorName}, ${when(c.at)}`));
    toggle.addEventListener("click", async () => {
      showErrors(null);
      toggle.disabled = true;
      try {
        await (c.resolved ? store.reopen(c.id) : store.resolve(c.id));
        await store.load();
        draw();
        onChange();
        announce(c.resolved ? t("cm_done_reopen") : t("cm_done_resolve"));
      } catch (error) {
        if (error instanceof api.ApiError && error.status === 401) throw error;
        toggle.disabled = false;
        showErrors(error);
      }
    });
    return h("li", { class: "comment" + (c.resolved ? " resolved" : ""), dataset: { comment: c.id } },
      h("p", { class: "comment-meta" },
        h("strong", { class: "comment-author" }, c.authorName || c.author),
        " ", h("time", { datetime: c.at || false }, when(c.at)),
        c.resolved ? h("span", { class: "comment-state" }, " · ", c.resolvedBy ? fill(t("cm_resolved_by"), { who: nameOf(c.resolvedBy) }) : t("cm_resolved")) : null),
      h("p", { class: "comment-body" }, withMentions(c.body, c.mentions)),
      toggle);
  }

  function draw() {
    const comments = mine();
    replacePreserving(list, comments.length
      ? h("ul", { class: "comment-list" }, comments.map(item))
      : h("p", { class: "muted" }, t("cm_none")));
  }

  draw();
  return { root, draw, count: () => openCount(mine()), focus: () => textarea.focus(), textarea };
}

// @-completion in a text area: typing "@ka" lists the participants whose user name or name starts so;
// arrow keys move, Enter or Tab takes one, Escape closes. The text area stays a plain text box for those
// who do not want the list.
function mentionCompletion(textarea, participants, idBase) {
  const listbox = h("ul", { class: "mention-list", role: "listbox", id: `${idBase}-mentions`, hidden: true,
    "aria-label": t("cm_people") });
  const status = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", listbox.id);
  let options = [];
  let active = -1;
  let start = -1;

  const people = () => {
    const seen = new Set();
    return (participants() || []).filter((p) => p?.username && !seen.has(p.username) && seen.add(p.username));
  };

  function close() {
    listbox.hidden = true;
    listbox.replaceChildren();
    options = [];
    active = -1;
    textarea.removeAttribute("aria-activedescendant");
  }

  function highlight(i) {
    active = i;
    [...listbox.children].forEach((li, n) => li.setAttribute("aria-selected", n === i ? "true" : "false"));
    if (i >= 0) textarea.setAttribute("aria-activedescendant", listbox.children[i].id);
    else textarea.removeAttribute("aria-activedescendant");
  }

  function choose(i) {
    const person = options[i];
    if (!person) return;
    const before = textarea.value.slice(0, start);
    const after = textarea.value.slice(textarea.selectionStart);
    const insert = `@${person.username} `;
    textarea.value = before + insert + after.replace(/^\S*/, "");
    const caret = before.length + insert.length;
    textarea.setSelectionRange(caret, caret);
    close();
    textarea.focus();
  }

  function update() {
    const caret = textarea.selectionStart;
    const upto = textarea.value.slice(0, caret);
    const m = /(^|\s)@([A-Za-z0-9._-]*)$/.exec(upto);
    if (!m) { close(); return; }
    start = caret - m[2].length - 1;
    const prefix = m[2].toLowerCase();
    options = people().filter((p) => p.username.toLowerCase().startsWith(prefix) ||
      (p.name || "").toLowerCase().split(/\s+/).some((w) => w.startsWith(prefix))).slice(0, 6);
    if (!options.length) { close(); return; }
    listbox.replaceChildren(...options.map((p, i) => {
      const li = h("li", { role: "option", id: `${idBase}-mention-${i}`, "aria-selected": "false" },
        p.name ? `${p.name} ` : "", h("span", { class: "muted" }, `@${p.username}`));
      li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
      return li;
    }));
    listbox.hidden = false;
    highlight(0);
    status.textContent = fill(t("cm_suggestions"), { n: options.length });
  }

  textarea.addEventListener("input", update);
  // Leaving the text area closes the list (after a moment, so that a click on an option still counts).
  textarea.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== textarea) close(); }, 150));
  textarea.addEventListener("keydown", (event) => {
    if (listbox.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % options.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + options.length) % options.length); }
    else if (event.key === "Enter" || event.key === "Tab") { if (active >= 0) { event.preventDefault(); choose(active); } }
    else if (event.key === "Escape") { event.preventDefault(); close(); }
  });
  return { listbox, status, close };
}
