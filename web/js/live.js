// The live channel of an instance (docs/collaboration.md): a WebSocket to /api/instances/{id}/live while
// the instance page or one of its forms is open. It passes the server's `event`, `presence` and `reset`
// messages to the open page, tells the server which field this person is writing in (`focus`), and
// reconnects after a lost connection (1 s, 2 s, 5 s, then every 10 s), resuming after the last event it
// received. One channel at a time: the router closes it when another page is shown (leave()).
import { h } from "./dom.js";
import { t, extend } from "./i18n.js";

extend("sv", {
  lv_live: "Live", lv_connecting: "Ansluter…", lv_reconnecting: "Återansluter…", lv_status: "Anslutning",
  lv_unavailable: "Inte live: ändringar syns när sidan laddas om",
  lv_here: "Här just nu", lv_alone: "Ingen annan har processen öppen.", lv_you_elsewhere: "du, i ett annat fönster",
  lv_in_form: "i {form}", lv_typing: "{names} skriver…", lv_typing_many: "{names} skriver…", lv_and: "och",
});
extend("en", {
  lv_live: "Live", lv_connecting: "Connecting…", lv_reconnecting: "Reconnecting…", lv_status: "Connection",
  lv_unavailable: "Not live: changes show when the page is loaded again",
  lv_here: "Here now", lv_alone: "Nobody else has the process open.", lv_you_elsewhere: "you, in another window",
  lv_in_form: "in {form}", lv_typing: "{names} is typing…", lv_typing_many: "{names} are typing…", lv_and: "and",
});

const BACKOFF_MS = [1000, 2000, 5000, 10000];
// A channel that never opened after this many tries while online is refused (not allowed, or a server
// without it): the page stops trying and says so, rather than knocking every ten seconds.
const GIVE_UP_AFTER = 5;
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");

// "Eva Berg" -> "EB"; "admin" -> "AD".
export function initials(name) {
  const words = String(name || "").trim().split(/[\s._-]+/).filter(Boolean);
  if (!words.length) return "?";
  if (words.length === 1) return words[0].slice(0, 2).toUpperCase();
  return (words[0][0] + words[words.length - 1][0]).toUpperCase();
}

// "Eva", "Eva och Johan", "Eva, Johan och Karin".
export function listNames(names) {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} ${t("lv_and")} ${names[names.length - 1]}`;
}

class Channel {
  constructor(instanceId) {
    this.instanceId = String(instanceId);
    this.listeners = new Map();  // key -> {event, presence, reset, hello, state}
    this.people = [];
    this.seq = null;             // the last event received (or the hello's seq before any)
    this.connection = null;      // this connection's id, from hello
    this.user = null;
    this.state = "connecting";
    this.focus = null;           // {form, occurrence, field}: sent again after reconnecting
    this.attempt = 0;
    this.opened = false;         // has a hello ever arrived
    this.closed = false;
    this.timer = null;
    this.statusBoxes = new Set();
    this.presenceBoxes = new Set();
    this.onOffline = () => {
      // The browser knows the network is gone: do not wait for the socket to notice.
      if (this.ws) {
        const ws = this.ws;
        this.ws = null;
        try { ws.close(); } catch { /* already closing */ }
        this.dropped();
      }
    };
    this.onOnline = () => {
      if (this.closed || this.ws) return;
      clearTimeout(this.timer);
      this.attempt = 0;
      this.connect();
    };
    window.addEventListener("offline", this.onOffline);
    window.addEventListener("online", this.onOnline);
    this.connect();
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const after = this.opened && this.seq !== null ? `?after=${encodeURIComponent(this.seq)}` : "";
    return `${scheme}//${location.host}/api/instances/${encodeURIComponent(this.instanceId)}/live${after}`;
  }

  connect() {
    if (this.closed) return;
    this.timer = null;
    // Offline, a connection cannot succeed: the "online" event starts the next one.
    if (navigator.onLine === false) {
      this.setState(this.opened ? "reconnecting" : "connecting");
      this.timer = setTimeout(() => this.connect(), BACKOFF_MS[BACKOFF_MS.length - 1]);
      return;
    }
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.dropped();
      return;
    }
    this.ws = ws;
    ws.addEventListener("message", (message) => { if (this.ws === ws) this.receive(message.data); });
    ws.addEventListener("close", () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.dropped();
    });
  }

  dropped() {
    this.connection = null;
    if (this.closed) return;
    this.setState(this.opened ? "reconnecting" : "connecting");
    if (this.people.length) {
      this.people = [];
      this.emit("presence", this.people);
      this.drawPresence();
    }
    clearTimeout(this.timer);
    if (!this.opened && this.attempt >= GIVE_UP_AFTER - 1 && navigator.onLine !== false) {
      this.setState("unavailable");
      return;
    }
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    switch (message.type) {
      case "hello": {
        const resumed = this.opened;
        this.opened = true;
        this.attempt = 0;
        this.connection = message.connection ?? null;
        this.user = typeof message.user === "object" && message.user ? message.user.username : message.user ?? null;
        this.helloSeq = typeof message.seq === "number" ? message.seq : null;
        if (this.seq === null) this.seq = this.helloSeq;
        this.setState("live");
        if (this.focus) this.sendFocus();
        this.emit("hello", { resumed });
        break;
      }
      case "event":
        if (typeof message.seq === "number") {
          if (this.seq !== null && message.seq <= this.seq) return;  // already seen (a replay overlapping)
          this.seq = message.seq;
        }
        this.emit("event", message);
        break;
      case "presence":
        this.people = Array.isArray(message.people) ? message.people : [];
        this.emit("presence", this.people);
        this.drawPresence();
        break;
      // One person joined, moved or left (the whole list comes once, on connecting).
      case "presence.update": {
        const person = message.person;
        if (!person || person.connection === undefined) return;
        const at = this.people.findIndex((p) => p.connection === person.connection);
        this.people = at >= 0 ? this.people.map((p, i) => (i === at ? person : p)) : [...this.people, person];
        this.emit("presence", this.people);
        this.drawPresence();
        break;
      }
      case "presence.leave":
        this.people = this.people.filter((p) => p.connection !== message.connection);
        this.emit("presence", this.people);
        this.drawPresence();
        break;
      case "reset":
        // What was missed cannot be replayed: the page loads afresh; events continue from the latest.
        if (this.helloSeq !== null && (this.seq === null || this.helloSeq > this.seq)) this.seq = this.helloSeq;
        this.emit("reset", message);
        break;
      default:
        break;
    }
  }

  emit(kind, payload) {
    for (const handlers of [...this.listeners.values()]) {
      try {
        handlers[kind]?.(payload);
      } catch (error) {
        console.warn(`live ${kind}:`, error);
      }
    }
  }

  // A page's handlers under a key; the same key again (the page drawn anew) replaces them.
  on(key, handlers) {
    this.listeners.set(key, handlers);
    return this;
  }

  off(key) {
    this.listeners.delete(key);
  }

  // Where this person is writing; null field: in no field. Sent only when it changes.
  setFocus(form, occurrence, field) {
    const next = { form: form ?? null, occurrence: occurrence ?? null, field: field ?? null };
    if (this.focus && this.focus.form === next.form && this.focus.occurrence === next.occurrence && this.focus.field === next.field) return;
    this.focus = next;
    this.sendFocus();
  }

  sendFocus() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || !this.focus) return;
    try {
      this.ws.send(JSON.stringify({ type: "focus", ...this.focus }));
    } catch { /* closing: sent again after reconnecting */ }
  }

  // Others connected to the instance (every connection but this one).
  others() {
    return this.people.filter((p) => p.connection !== this.connection);
  }

  setState(state) {
    this.state = state;
    this.emit("state", state);
    this.drawStatus();
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    window.removeEventListener("offline", this.onOffline);
    window.removeEventListener("online", this.onOnline);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      try { ws.close(1000, "page left"); } catch { /* already closed */ }
    }
    this.listeners.clear();
    this.statusBoxes.clear();
    this.presenceBoxes.clear();
  }

  // ---- What the page shows -------------------------------------------------------------------------

  // "Live" / "Återansluter…": small, and read out politely when it changes.
  statusElement() {
    const text = h("span", { class: "live-text" });
    const box = h("p", { class: "live-status", role: "status", "aria-live": "polite", title: t("lv_status") },
      h("span", { class: "live-dot", "aria-hidden": "true" }), " ", text);
    box._text = text;
    this.statusBoxes.add(box);
    this.drawStatus();
    return box;
  }

  drawStatus() {
    const word = { live: t("lv_live"), reconnecting: t("lv_reconnecting"), unavailable: t("lv_unavailable") }[this.state] ?? t("lv_connecting");
    for (const box of [...this.statusBoxes]) {
      if (!box.isConnected && box._drawn) { this.statusBoxes.delete(box); continue; }
      box._drawn = true;
      box.dataset.state = this.state;
      if (box._text.textContent !== word) box._text.textContent = word;
    }
  }

  // Who has the instance open: a badge with initials and the name, and the form they are in.
  // `formLabel(id)` names a form; `me` is the signed-in user's name.
  presenceElement({ formLabel = (id) => id, me = null } = {}) {
    const box = h("div", { class: "presence", role: "group", "aria-label": t("lv_here") });
    box._options = { formLabel, me };
    this.presenceBoxes.add(box);
    this.drawPresence();
    return box;
  }

  drawPresence() {
    for (const box of [...this.presenceBoxes]) {
      if (!box.isConnected && box._drawn) { this.presenceBoxes.delete(box); continue; }
      box._drawn = true;
      const { formLabel, me } = box._options;
      // One badge per person, however many windows they have open.
      const byUser = new Map();
      for (const p of this.others()) {
        const seen = byUser.get(p.username);
        if (!seen || (!seen.form && p.form)) byUser.set(p.username, p);
      }
      const people = [...byUser.values()].sort((a, b) => (a.display_name || a.username).localeCompare(b.display_name || b.username, "sv"));
      box.replaceChildren(
        h("span", { class: "presence-label" }, `${t("lv_here")}:`),
        people.length
          ? h("ul", { class: "presence-list" }, people.map((p) => {
            const name = p.display_name || p.username;
            const where = p.form ? fill(t("lv_in_form"), { form: formLabel(p.form) }) : "";
            const self = me && p.username === me ? t("lv_you_elsewhere") : "";
            return h("li", { class: "presence-person", dataset: { username: p.username } },
              h("span", { class: "avatar", "aria-hidden": "true", title: name }, initials(name)),
              h("span", { class: "presence-name" }, name,
                self || where ? h("span", { class: "muted presence-where" }, ` (${[self, where].filter(Boolean).join(", ")})`) : null));
          }))
          : h("span", { class: "muted" }, ` ${t("lv_alone")}`));
    }
  }
}

let channel = null;

// The channel of an instance: the open one when it is for the same instance, else a new one.
export function join(instanceId) {
  if (channel && !channel.closed && channel.instanceId === String(instanceId)) return channel;
  leave();
  channel = new Channel(instanceId);
  return channel;
}

// Closes the channel: called by the router whenever another page is shown, and on signing out.
export function leave() {
  if (channel) channel.close();
  channel = null;
}

export function current() {
  return channel;
}

// "Eva Berg skriver…" for a list of presence entries.
export function typingText(people) {
  const names = [...new Set(people.map((p) => p.display_name || p.username))];
  if (!names.length) return "";
  return fill(names.length > 1 ? t("lv_typing_many") : t("lv_typing"), { names: listNames(names) });
}
