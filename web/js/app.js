// The web interface: a small router over pages (js/pages/*.js), the menu, the signed-in user, and the
// language switch. Each page module exports `render(main, params, context)`.
import * as api from "./api.js";
import { h, show, announce } from "./dom.js";
import { t, setLanguage, currentLanguage } from "./i18n.js";
import * as live from "./live.js";

// Path pattern -> page module (loaded when first shown) and whether it needs a signed-in user.
const routes = [
  { pattern: "/", page: "tasks", signedIn: true },
  { pattern: "/logga-in", page: "login", signedIn: false },
  { pattern: "/uppgifter", page: "tasks", signedIn: true },
  { pattern: "/processer", page: "instances", signedIn: true },
  { pattern: "/processer/:id", page: "instance", signedIn: true },
  { pattern: "/processer/:id/formular/:form", page: "form", signedIn: true },
  { pattern: "/admin", page: "admin", signedIn: true },
  { pattern: "/admin/:section", page: "admin", signedIn: true },
  { pattern: "/forvaltning", page: "management", signedIn: true },
  { pattern: "/lardomar/:network", page: "lessons", signedIn: false },
];

const context = { user: null, navigate, refreshUser };

function match(path) {
  const parts = path.replace(/\/+$/, "").split("/").filter(Boolean);
  for (const route of routes) {
    const want = route.pattern.split("/").filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    if (want.every((w, i) => (w.startsWith(":") ? ((params[w.slice(1)] = decodeURIComponent(parts[i])), true) : w === parts[i]))) {
      return { route, params };
    }
  }
  return null;
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  render();
}

async function refreshUser() {
  try {
    context.user = (await api.me()).user;
  } catch {
    context.user = null;
  }
  drawChrome();
}

function drawChrome() {
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  const user = context.user;
  if (!user) {
    show(nav);
    show(who);
    return;
  }
  const items = [["/uppgifter", t("tasks")], ["/processer", t("instances")]];
  if (["administrator", "utvecklingsledare"].includes(user.global_role)) items.push(["/admin", t("admin")]);
  if (["administrator", "utvecklingsledare", "forvaltning"].includes(user.global_role)) items.push(["/forvaltning", t("management")]);
  const here = location.pathname;
  show(nav, h("ul", {}, items.map(([href, label]) =>
    h("li", {}, h("a", { href, "aria-current": here === href || (href !== "/" && here.startsWith(href + "/")) ? "page" : false }, label)))));
  show(who, h("span", {}, user.name || user.username), " ",
    h("button", { type: "button", class: "link", onclick: async () => { live.leave(); await api.logout(); context.user = null; navigate("/logga-in"); } }, t("logout")));
}

async function render() {
  const main = document.getElementById("main");
  // A page's live channel lasts while the page is shown; the page shown next opens its own.
  live.leave();
  const found = match(location.pathname);
  if (!found) {
    show(main, h("h1", {}, t("not_found")));
    return;
  }
  if (found.route.signedIn && !context.user) {
    navigate("/logga-in?till=" + encodeURIComponent(location.pathname), { replace: true });
    return;
  }
  drawChrome();
  show(main, h("p", { class: "muted" }, t("loading")));
  let start = null;  // a page may say where to begin instead of its heading (a link to a comment)
  try {
    const page = await import(`./pages/${found.route.page}.js`);
    start = await page.render(main, found.params, context);
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 401) {
      context.user = null;
      navigate("/logga-in?till=" + encodeURIComponent(location.pathname), { replace: true });
      return;
    }
    show(main, h("h1", {}, t("error")), h("p", { class: "errors", role: "alert" }, error.message));
  }
  // Moving focus to the page's heading tells screen-reader users that the page changed.
  const heading = main.querySelector("h1");
  if (start instanceof Element && main.contains(start)) {
    start.focus();
    if (heading) announce(heading.textContent);
  } else if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    announce(heading.textContent);
  }
}

// Same-origin links are handled here, without a page load.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href]");
  if (!link || link.target || link.hasAttribute("download") || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", render);

document.getElementById("lang").addEventListener("click", () => {
  setLanguage(currentLanguage() === "sv" ? "en" : "sv");
  document.getElementById("lang").textContent = t("switch");
  render();
});

setLanguage(currentLanguage());
document.getElementById("lang").textContent = t("switch");
await refreshUser();
render();
