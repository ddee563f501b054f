// The consultation page's tools for those who run it: while a draft, adding debates
// (authors and above, of the host or by a grant) and publishing it (its creator, the host's
// admins, granted admins); once open, closing it early with a reason (the host's admins).
// The API decides; these only hide what would be refused.
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { Alert } from "../ui.js";
import { Field, Check, Select, atLeast, useSubmit } from "../forms.js";

export function Manage({ consultation: c, me, onChange }) {
  if (!me) return null;
  const role = (me.groups.find((g) => g.id === c.group_id) || {}).role || null;
  const grant = ((me.grants || []).find((g) => g.consultation_id === c.id) || {}).role || null;
  const creator = c.created_by === me.id;
  const admin = role === "admin";
  const parts = [];
  if (c.status === "draft" && (atLeast(role, "author") || atLeast(grant, "author"))) parts.push(html`<${AddDebate} key="add" consultation=${c} onAdded=${onChange} />`);
  if (c.status === "draft" && (admin || creator || grant === "admin")) parts.push(html`<${Publish} key="publish" consultation=${c} onDone=${onChange} />`);
  if (c.status === "open" && admin) parts.push(html`<${Close} key="close" consultation=${c} onDone=${onChange} />`);
  if (parts.length === 0) return null;
  return html`<section class="manage" aria-labelledby="manage-title">
    <h2 id="manage-title">${t("manage.title")}</h2>
    ${parts}
  </section>`;
}

const EMPTY = { title: "", body: "", type: "vote", secret: false, results_visibility: "after_close", options: ["", ""] };

function AddDebate({ consultation, onAdded }) {
  const [form, setForm] = useState(EMPTY);
  const [added, setAdded] = useState("");
  const [send, busy, error, , fresh] = useSubmit();
  const set = (name) => (value) => {
    fresh();
    setAdded("");
    setForm((f) => ({ ...f, [name]: value }));
  };
  const setOption = (index, value) => set("options")(form.options.map((o, i) => (i === index ? value : o)));
  const decision = () => {
    if (form.type === "none") return { type: "none" };
    if (form.type === "petition") return { type: "petition", results_visibility: form.results_visibility };
    const f = { type: form.type, secret: form.secret, results_visibility: form.results_visibility };
    if (form.type === "poll") f.options = form.options.map((o) => o.trim()).filter(Boolean);
    return f;
  };
  const submit = async (event) => {
    event.preventDefault();
    const body = { title: form.title, body: form.body, function: decision() };
    const made = await send((key) =>
      api(`/consultations/${enc(consultation.id)}/debates`, { method: "POST", body, idempotencyKey: key }),
    );
    if (made) {
      setForm(EMPTY);
      setAdded(t("manage.debate_added", { title: made.title }));
      onAdded();
    }
  };
  const changeType = (type) => {
    fresh();
    setAdded("");
    setForm((f) => ({ ...f, type, results_visibility: type === "petition" ? "live" : "after_close" }));
  };
  const counted = form.type !== "none";
  return html`<form class="form" noValidate onSubmit=${submit}>
    <h3>${t("manage.add_debate")}</h3>
    <p role="status" class="note">${added}</p>
    <${Alert} error=${error} fields=${{ title: ["d-title", t("manage.debate_title")], body: ["d-body", t("manage.debate_body")] }} />
    <${Field} id="d-title" label=${t("manage.debate_title")}>
      <input type="text" id="d-title" value=${form.title} maxLength="200" onInput=${(e) => set("title")(e.target.value)} />
    </${Field}>
    <${Field} id="d-body" label=${t("manage.debate_body")} hint=${t("form.markdown_hint")}>
      <textarea id="d-body" rows="5" value=${form.body} aria-describedby="d-body-hint"
        onInput=${(e) => set("body")(e.target.value)}></textarea>
    </${Field}>
    <${Select} id="d-type" label=${t("manage.decision")} value=${form.type} onChange=${changeType}
      options=${["none", "vote", "poll", "petition"].map((v) => [v, t(`decision.${v}`)])} />
    ${form.type === "poll" &&
    html`<fieldset>
      <legend>${t("manage.options")}</legend>
      ${form.options.map(
        (o, i) => html`<${Field} key=${i} id=${`d-option-${i}`} label=${t("manage.option", { n: i + 1 })}>
          <input type="text" id=${`d-option-${i}`} value=${o} maxLength="200" onInput=${(e) => setOption(i, e.target.value)} />
        </${Field}>`,
      )}
      ${form.options.length < 20 &&
      html`<button type="button" onClick=${() => set("options")([...form.options, ""])}>${t("manage.add_option")}</button>`}
    </fieldset>`}
    ${(form.type === "vote" || form.type === "poll") &&
    html`<${Check} id="d-secret" label=${t("manage.secret")} checked=${form.secret} onChange=${set("secret")} />`}
    ${counted &&
    html`<${Select} id="d-results" label=${t("manage.results")} value=${form.results_visibility}
      onChange=${set("results_visibility")}
      options=${["live", "after_vote", "after_close"].map((v) => [v, t(`results_visibility.${v}`)])} />`}
    <button type="submit" class="primary" disabled=${busy}>${t("manage.add_submit")}</button>
  </form>`;
}

function Publish({ consultation, onDone }) {
  const [send, busy, error] = useSubmit();
  const publish = async () => {
    const done = await send(() => api(`/consultations/${enc(consultation.id)}/publish`, { method: "POST" }));
    if (done) onDone();
  };
  const count = consultation.debate_count || 0;
  return html`<div class="form">
    <h3>${t("manage.publish_title")}</h3>
    <${Alert} error=${error} />
    <p>${consultation.opens_at ? t("manage.publish_scheduled") : t("manage.publish_now")}</p>
    ${count === 0 && html`<p class="hint">${t("manage.publish_empty")}</p>`}
    <button type="button" disabled=${busy} onClick=${publish}>${t("manage.publish")}</button>
  </div>`;
}

function Close({ consultation, onDone }) {
  const [reason, setReason] = useState("");
  const [send, busy, error] = useSubmit();
  const submit = async (event) => {
    event.preventDefault();
    const done = await send(() =>
      api(`/consultations/${enc(consultation.id)}/close`, { method: "POST", body: { reason } }),
    );
    if (done) onDone();
  };
  return html`<form class="form" noValidate onSubmit=${submit}>
    <h3>${t("manage.close_title")}</h3>
    <p>${t("manage.close_sentence")}</p>
    <${Alert} error=${error} fields=${{ reason: ["close-reason", t("manage.reason")] }} />
    <${Field} id="close-reason" label=${t("manage.reason")} hint=${t("manage.reason_hint")}>
      <textarea id="close-reason" rows="3" required value=${reason} aria-describedby="close-reason-hint"
        onInput=${(e) => setReason(e.target.value)}></textarea>
    </${Field}>
    <button type="submit" class="warning" disabled=${busy}>${t("manage.close")}</button>
  </form>`;
}
