// The consultation page's tools for those who run it: while a draft, changing it and its
// debates, adding debates (authors and above, of the host or by a grant) and publishing it
// (its creator, the host's admins, granted admins); partners and roles (the host's admins);
// once open, closing it early with a reason (the host's admins).
// What is offered follows the consultation's `my_permissions` (the API's role table for this
// reader); the API still decides, and its refusal shows.
import { html, useState, useEffect, useRef } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { Alert } from "../ui.js";
import { myId } from "../session.js";
import { Field, useSubmit, fieldErrors } from "../forms.js";
import { DebateFields, emptyDebate, formToBody, debateFields, withType } from "./debateform.js";
import { Confirm, useSaid } from "./grouptools.js";

// What an edit screen saved, said once on the consultation page it returns to.
let saved = "";
export function sayOnReturn(text) {
  saved = text;
}

export function Manage({ consultation: c, debates = [], onChange }) {
  const can = new Set(c.my_permissions || []); // what the API says the reader's roles allow
  const me = myId();
  const [said, say] = useSaid();
  const [saying, setSaying] = useState(false);
  const tell = (text) => {
    setSaying(true);
    say(text, { focus: true }); // the button pressed has left the page
  };
  useEffect(() => {
    if (!saved) return;
    setSaying(true);
    say(saved);
    saved = "";
  }, []);
  const done = (text) => () => {
    tell(text);
    onChange();
  };
  const preparing = c.status === "draft" || c.status === "scheduled";
  const parts = [];
  const links = [];
  if (c.status !== "closed" && can.has("update"))
    links.push(html`<li key="edit"><a href=${`/consultations/${enc(c.id)}/edit`}>${t("manage.edit_link")}</a></li>`);
  if (c.status !== "closed" && (can.has("manage_partners") || can.has("manage_grants")))
    links.push(html`<li key="access"><a href=${`/consultations/${enc(c.id)}/access`}>${t("manage.access_link")}</a></li>`);
  if (preparing)
    debates
      .filter((d) => can.has("update_debates") || (me && d.created_by === me))
      .forEach((d) =>
        links.push(html`<li key=${d.id}>${d.title} · <a href=${`/debates/${enc(d.id)}/edit`}>${t("manage.edit_debate_link")}</a></li>`),
      );
  if (links.length > 0) parts.push(html`<ul key="links" class="tool-links">${links}</ul>`);
  if (c.status === "draft" && can.has("add_debates")) parts.push(html`<${AddDebate} key="add" consultation=${c} onAdded=${onChange} />`);
  if (c.status === "draft" && can.has("publish")) parts.push(html`<${Publish} key="publish" consultation=${c} onAct=${() => say("")} onDone=${done(t("manage.published"))} />`);
  if (c.status === "open" && can.has("close")) parts.push(html`<${Close} key="close" consultation=${c} onAct=${() => say("")} onDone=${done(t("manage.closed"))} />`);
  if (parts.length === 0 && !saying) return null;
  return html`<section class="manage" aria-labelledby="manage-title">
    <h2 id="manage-title">${t("manage.title")}</h2>
    ${said}
    ${parts}
  </section>`;
}

function AddDebate({ consultation, onAdded }) {
  const [form, setForm] = useState(() => emptyDebate(consultation));
  const [added, setAdded] = useState("");
  const [send, busy, error, setError, fresh] = useSubmit();
  const set = (name) => (value) => {
    fresh();
    setAdded("");
    setForm((f) => ({ ...f, [name]: value }));
  };
  const submit = async (event) => {
    event.preventDefault();
    let body;
    try {
      body = formToBody(form);
    } catch (invalid) {
      return setError(invalid);
    }
    const made = await send((key) =>
      api(`/consultations/${enc(consultation.id)}/debates`, { method: "POST", body, idempotencyKey: key }),
    );
    if (made) {
      setForm(emptyDebate(consultation));
      setAdded(t("manage.debate_added", { title: made.title }));
      onAdded();
    }
    return undefined;
  };
  const changeType = (type) => {
    fresh();
    setAdded("");
    setForm((f) => withType(f, type));
  };
  return html`<form class="form" noValidate onSubmit=${submit}>
    <h3>${t("manage.add_debate")}</h3>
    <p role="status" class="note">${added}</p>
    <${Alert} error=${error} fields=${debateFields(form.type)} />
    <${DebateFields} errors=${fieldErrors(error, debateFields(form.type))} form=${form} set=${set} changeType=${changeType} />
    <button type="submit" class="primary" disabled=${busy}>${t("manage.add_submit")}</button>
  </form>`;
}

// onAct: an act begins, so what the section said of an earlier one no longer stands.
function Publish({ consultation, onAct, onDone }) {
  const [send, busy, error] = useSubmit();
  const publish = async () => {
    onAct();
    const done = await send(() => api(`/consultations/${enc(consultation.id)}/publish`, { method: "POST" }));
    if (done) onDone();
  };
  const count = consultation.debate_count || 0;
  return html`<div class="form">
    <h3>${t("manage.publish_title")}</h3>
    <${Alert} error=${error} />
    <p>${consultation.opens_at ? t("manage.publish_scheduled") : t("manage.publish_now")}</p>
    ${count === 0 && html`<p class="hint">${t("manage.publish_empty")}</p>`}
    <${Confirm} label=${t("manage.publish")} busy=${busy} onConfirm=${publish} kind="primary"
      question=${t("manage.publish_question")} confirm=${t("manage.publish_confirm")} />
  </div>`;
}

function Close({ consultation, onAct, onDone }) {
  const [reason, setReason] = useState("");
  const [asking, setAsking] = useState(false);
  const [send, busy, error] = useSubmit();
  const close = async () => {
    onAct();
    const done = await send(() =>
      api(`/consultations/${enc(consultation.id)}/close`, { method: "POST", body: { reason } }),
    );
    setAsking(false);
    if (done) onDone();
  };
  const submit = (event) => {
    event.preventDefault();
    setAsking(true); // a second step, in the page: closing cannot be undone
  };
  return html`<form class="form" noValidate onSubmit=${submit}>
    <h3>${t("manage.close_title")}</h3>
    <p>${t("manage.close_sentence")}</p>
    <${Alert} error=${error} fields=${{ reason: ["close-reason", t("manage.reason")] }} />
    <${Field} id="close-reason" label=${t("manage.reason")} hint=${t("manage.reason_hint")}>
      <textarea id="close-reason" rows="3" required value=${reason} aria-describedby="close-reason-hint"
        onInput=${(e) => { setAsking(false); setReason(e.target.value); }}></textarea>
    </${Field}>
    ${asking
      ? html`<${Asking} question=${t("manage.close_question")} confirm=${t("manage.close_confirm")} busy=${busy}
          onConfirm=${close} onCancel=${() => setAsking(false)} />`
      : html`<button type="submit" class="warning" disabled=${busy}>${t("manage.close")}</button>`}
  </form>`;
}

// The second step of a form's button: the question read out, focus on the confirming button.
function Asking({ question, confirm, busy, onConfirm, onCancel }) {
  const ref = useRef(null);
  useEffect(() => {
    if (ref.current) ref.current.focus();
  }, []);
  return html`<div class="confirm" role="group" aria-label=${question}>
    <p>${question}</p>
    <button type="button" ref=${ref} class="warning" disabled=${busy} onClick=${onConfirm}>${confirm}</button>
    <button type="button" onClick=${onCancel}>${t("tools.cancel")}</button>
  </div>`;
}
