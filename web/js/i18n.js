// All UI text lives in /i18n/<lang>.json. French by default; English when the browser
// prefers it or the reader chose it with the header's switch (kept in localStorage).
const LANGUAGES = ["fr", "en"];
const CHOICE_KEY = "hub.lang";

let current = "fr";
let catalogue = {};

export function language() {
  return current;
}

export function preferredLanguage() {
  let saved = null;
  try {
    saved = localStorage.getItem(CHOICE_KEY);
  } catch {
    // storage blocked: fall back to the browser's languages
  }
  if (LANGUAGES.includes(saved)) return saved;
  for (const tag of navigator.languages || [navigator.language || ""]) {
    const base = String(tag).slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(base)) return base;
  }
  return "fr";
}

export async function loadLanguage(lang, { remember = false } = {}) {
  const response = await fetch(`/i18n/${lang}.json`);
  if (!response.ok) throw new Error(`catalogue ${lang}: ${response.status}`);
  catalogue = await response.json();
  current = lang;
  document.documentElement.lang = lang;
  if (remember) {
    try {
      localStorage.setItem(CHOICE_KEY, lang);
    } catch {
      // not remembered across visits; the switch still works for this page
    }
  }
}

// t("key", {name: "x"}) replaces {name}; an entry {one, other, ...} is chosen by `count`
// with the language's plural rules, and `count` is formatted as a number.
export function t(key, params = {}) {
  let text = catalogue[key];
  const values = { ...params };
  if (typeof params.count === "number") {
    if (text && typeof text === "object") {
      text = text[new Intl.PluralRules(current).select(params.count)] ?? text.other;
    }
    values.count = new Intl.NumberFormat(current).format(params.count);
  }
  if (typeof text !== "string") return key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

export function formatDate(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(current, { dateStyle: "long", timeStyle: "short" }).format(
    new Date(iso),
  );
}

export function formatPercent(share) {
  return new Intl.NumberFormat(current, { style: "percent", maximumFractionDigits: 1 }).format(share);
}
