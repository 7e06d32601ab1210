// A small helper to build elements without innerHTML: text is always text, never markup, so nothing a
// user typed can run as script.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// Replaces what `parent` holds; announces `message` to screen readers when given.
export function show(parent, ...children) {
  parent.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

export function announce(message) {
  const status = document.getElementById("status");
  if (status) status.textContent = message;
}

export function formatDate(text) {
  return text ? text.slice(0, 10) : "";
}

// Replaces what `container` holds as show() does, but keeps what the person was doing in it: the values
// of inputs, text areas and lists (by id), which <details> were open, and the focus (with the caret) when
// the focused element has an id that is drawn again. Used when a live event redraws part of a page.
export function replacePreserving(container, ...children) {
  const active = document.activeElement;
  const focusId = active && active !== container && container.contains(active) && active.id ? active.id : null;
  const hadFocusInside = active && active !== document.body && container.contains(active);
  let selection = null;
  if (focusId && typeof active.selectionStart === "number") {
    try { selection = [active.selectionStart, active.selectionEnd, active.selectionDirection]; } catch { selection = null; }
  }
  const values = new Map();
  for (const el of container.querySelectorAll("input[id], textarea[id], select[id]")) {
    if (el.type === "checkbox" || el.type === "radio") values.set(el.id, { checked: el.checked });
    else if (el.type !== "hidden" && el.type !== "file") values.set(el.id, { value: el.value });
  }
  const open = new Set([...container.querySelectorAll("details[id]")].filter((d) => d.open).map((d) => d.id));
  show(container, ...children);
  for (const [id, saved] of values) {
    const el = document.getElementById(id);
    if (!el || !container.contains(el)) continue;
    if ("checked" in saved) el.checked = saved.checked;
    else if (el.tagName === "SELECT") { if ([...el.options].some((o) => o.value === saved.value)) el.value = saved.value; }
    else el.value = saved.value;
  }
  for (const id of open) {
    const d = document.getElementById(id);
    if (d && container.contains(d)) d.open = true;
  }
  if (hadFocusInside) {
    const again = focusId ? document.getElementById(focusId) : null;
    if (again && container.contains(again)) {
      again.focus({ preventScroll: true });
      if (selection) { try { again.setSelectionRange(...selection); } catch { /* not a text control */ } }
    } else {
      // What had focus is gone: the nearest heading of the container keeps the place.
      const heading = container.closest("section")?.querySelector("h2, h3") || container.querySelector("h2, h3");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: true }); }
    }
  }
}

// A comment's text with its @mentions marked (as text: nothing in it is markup). `known`, when given,
// is the list of usernames the server found mentioned; only those are marked then.
export function withMentions(text, known = null) {
  const parts = String(text ?? "").split(/(@[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?)/);
  return parts.map((part, i) => {
    if (i % 2 === 0) return part;
    if (known && !known.includes(part.slice(1))) return part;
    return h("strong", { class: "mention" }, part);
  }).filter((p) => p !== "");
}
