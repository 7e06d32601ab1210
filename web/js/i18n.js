// The interface's words in Swedish (the default) and English. Pages call t("key"); elements with
// data-i18n get their text from the same table when the language changes.

const words = {
  sv: {
    skip: "Hoppa till innehållet", switch: "English", login: "Logga in", logout: "Logga ut",
    username: "Användarnamn", password: "Lösenord", tasks: "Mina uppgifter", instances: "Processer",
    admin: "Administration", management: "Förvaltning", lessons: "Lärdomar", due: "Senast",
    overdue: "Försenad", none_tasks: "Du har inga öppna uppgifter.", loading: "Hämtar…",
    not_found: "Sidan finns inte.", error: "Något gick fel", step: "Steg", phase: "Fas", instance: "Process",
  },
  en: {
    skip: "Skip to content", switch: "Svenska", login: "Sign in", logout: "Sign out",
    username: "User name", password: "Password", tasks: "My tasks", instances: "Processes",
    admin: "Administration", management: "Management", lessons: "Lessons learnt", due: "Due",
    overdue: "Overdue", none_tasks: "You have no open tasks.", loading: "Loading…",
    not_found: "There is no such page.", error: "Something went wrong", step: "Step", phase: "Phase",
    instance: "Process",
  },
};

let language = localStorage.getItem("spegla.lang") === "en" ? "en" : "sv";

export function t(key) {
  return words[language][key] ?? words.sv[key] ?? key;
}

export function currentLanguage() {
  return language;
}

export function setLanguage(next) {
  language = next === "en" ? "en" : "sv";
  localStorage.setItem("spegla.lang", language);
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
}

// Lets a page add its own words: extend("sv", {...}) and extend("en", {...}).
export function extend(lang, more) {
  Object.assign(words[lang], more);
}
