// GOV.UK-style forms: a visible label on every control, an optional hint tied to it, an
// error summary (role="alert", the API's own message and details) above one primary
// button. useSubmit keeps one Idempotency-Key per request for its retries and drops it
// once the request succeeded or the reader changed what is sent.
import { html, useState, useRef } from "./lib.js";
import { newIdempotencyKey } from "./api.js";
import { t } from "./i18n.js";

const ROLES = ["observer", "participant", "author", "moderator", "admin"];

// Whether `role` (a member's role, or null) is at least `least`.
export function atLeast(role, least) {
  return Boolean(role) && ROLES.indexOf(role) >= ROLES.indexOf(least);
}

export function Field({ id, label, hint, error, children }) {
  return html`<div class=${error ? "field field-invalid" : "field"}>
    <label for=${id}>${label}</label>
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field-error" id=${`${id}-error`}>${error}</p>`}
    ${children}
  </div>`;
}

// The API's details of a refusal by input id ({input id: message}), for the messages
// beside each field; `fields` maps the API's field names to [input id, label].
export function fieldErrors(error, fields) {
  const found = {};
  for (const d of (error && error.details) || []) {
    const known = fields[d.field] || fields[String(d.field).replace(/\.\d+$/, "")];
    if (known && d.message && !found[known[0]]) found[known[0]] = d.message;
  }
  return found;
}

// aria-describedby for an input: its hint and its error, when shown.
export function describedBy(id, { hint = false, error = false } = {}) {
  const ids = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

export function Check({ id, label, checked, onChange }) {
  return html`<div class="field">
    <label class="choice" for=${id}>
      <input type="checkbox" id=${id} checked=${checked} onChange=${(e) => onChange(e.target.checked)} />
      ${label}
    </label>
  </div>`;
}

export function Select({ id, label, value, options, onChange, hint }) {
  return html`<${Field} id=${id} label=${label} hint=${hint}>
    <select id=${id} value=${value} aria-describedby=${hint ? `${id}-hint` : undefined}
      onChange=${(e) => onChange(e.target.value)}>
      ${options.map(([v, text]) => html`<option value=${v} selected=${v === value}>${text}</option>`)}
    </select>
  </${Field}>`;
}

// [send(run), busy, error, setError, fresh]: send(run) calls run(idempotencyKey) once at a
// time; fresh() forgets the key (the reader changed the request).
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const key = useRef(null);
  const send = async (run) => {
    if (busy) return undefined;
    setBusy(true);
    setError(null);
    key.current = key.current || newIdempotencyKey();
    try {
      const result = await run(key.current);
      key.current = null;
      return result;
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const fresh = () => {
    key.current = null;
  };
  return [send, busy, error, setError, fresh];
}

// "2026-12-05T18:00" (the reader's local time, from <input type="datetime-local">) as ISO UTC.
export function localToIso(value) {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

// An ISO time as <input type="datetime-local"> shows it: the reader's local time, to the minute.
export function isoToLocal(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// "What can each role do?": the API's role table (docs/api.md, Roles), one line a role,
// beside wherever a role is picked.
export function RolesHelp() {
  return html`<details class="roles-help">
    <summary>${t("roles.help")}</summary>
    <ul>${ROLES.map((r) => html`<li key=${r}>${t(`roles.help.${r}`)}</li>`)}</ul>
    <p class="hint">${t("roles.help_note")}</p>
  </details>`;
}
