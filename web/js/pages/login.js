// Sign in: user name and password; then back to where the user was going.
import * as api from "../api.js";
import { h, show } from "../dom.js";
import { t } from "../i18n.js";

export async function render(main, params, context) {
  const error = h("div", { class: "errors", role: "alert", "aria-live": "assertive" });
  const username = h("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = h("form", { class: "card login", novalidate: true },
    h("h1", {}, t("login")),
    error,
    h("div", { class: "field" }, h("label", { for: "username" }, t("username")), username),
    h("div", { class: "field" }, h("label", { for: "password" }, t("password")), password),
    h("button", { type: "submit" }, t("login")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    show(error);
    try {
      await api.login(username.value.trim(), password.value);
      await context.refreshUser();
      const next = new URLSearchParams(location.search).get("till");
      context.navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/uppgifter", { replace: true });
    } catch (e) {
      show(error, e.message);
      password.value = "";
      password.focus();
    }
  });
  show(main, form);
}
