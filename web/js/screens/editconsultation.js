// A consultation's settings, as POST /groups/{id}/consultations and PATCH
// /consultations/{id} take them: title, description, who sees it (members, public, or a
// board meeting restricted to some roles: its audience), who takes part, its dates.
// "/consultations/{id}/edit" changes a draft (its creator, the host's admins, granted
// admins): the API decides, and its refusal shows.
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";
import { useLoad, useScreenTitle, Alert, LoadingScreen, ErrorScreen } from "../ui.js";
import { Field, Select, useSubmit, localToIso, isoToLocal, fieldErrors, describedBy } from "../forms.js";
import { sayOnReturn } from "./manage.js";
import { ProxyFields, proxiesToForm, proxiesBody, proxiesChanged, proxyFieldNames } from "./proxies.js";

// Roles that may be let into a board meeting; its admins always are.
const AUDIENCE = ["observer", "participant", "author", "moderator"];

export function emptyConsultation() {
  return {
    title: "",
    description: "",
    visibility: "members",
    audience: [],
    participation: "signed_in",
    closes_at: "",
    opens_at: "",
    ...proxiesToForm({}),
  };
}

export function consultationToForm(c) {
  return {
    title: c.title,
    description: c.description || "",
    visibility: c.visibility,
    audience: (c.audience || []).filter((r) => r !== "admin"),
    participation: c.participation || "signed_in",
    closes_at: isoToLocal(c.scheduled_closes_at || c.closes_at),
    opens_at: isoToLocal(c.opens_at),
    ...proxiesToForm(c),
  };
}

// The whole request body for a new consultation.
export function consultationBody(form) {
  const body = {
    title: form.title,
    description: form.description,
    visibility: form.visibility,
    closes_at: localToIso(form.closes_at),
  };
  if (form.visibility === "public") body.participation = form.participation;
  if (form.visibility === "restricted") body.audience = ["admin", ...AUDIENCE.filter((r) => form.audience.includes(r))];
  if (form.opens_at) body.opens_at = localToIso(form.opens_at);
  if (form.proxies_allowed) body.proxies = proxiesBody(form);
  return body;
}

// Only what changed, for PATCH (an emptied opening date is sent as null: open on publication).
function changes(before, form) {
  const after = consultationBody(form);
  const was = consultationBody(before);
  const body = {};
  for (const key of ["title", "description", "visibility", "participation", "closes_at", "opens_at"]) {
    if (after[key] !== was[key] && after[key] !== undefined) body[key] = after[key];
  }
  if (form.visibility === "restricted" && (before.visibility !== "restricted" || String(after.audience) !== String(was.audience)))
    body.audience = after.audience;
  if (before.opens_at && !form.opens_at) body.opens_at = null;
  if (proxiesChanged(before, form)) body.proxies = proxiesBody(form);
  return body;
}

export function consultationFields() {
  return {
    title: ["c-title", t("newconsultation.name")],
    description: ["c-description", t("newconsultation.description")],
    visibility: ["c-visibility", t("newconsultation.visibility")],
    audience: ["c-audience-observer", t("cform.audience")],
    participation: ["c-participation", t("newconsultation.participation")],
    opens_at: ["c-opens", t("newconsultation.opens")],
    closes_at: ["c-closes", t("newconsultation.closes")],
    ...proxyFieldNames(),
  };
}

export function ConsultationFields({ form, set, errors = {} }) {
  const tie = (id, hint = false) => ({
    "aria-describedby": describedBy(id, { hint, error: Boolean(errors[id]) }),
    "aria-invalid": errors[id] ? "true" : undefined,
  });
  const toggle = (role, on) => set("audience")(on ? [...form.audience.filter((r) => r !== role), role] : form.audience.filter((r) => r !== role));
  return html`
    <${Field} id="c-title" error=${errors["c-title"]} label=${t("newconsultation.name")}>
      <input type="text" id="c-title" ...${tie("c-title")} value=${form.title} maxLength="200" onInput=${(e) => set("title")(e.target.value)} />
    </${Field}>
    <${Field} id="c-description" error=${errors["c-description"]} label=${t("newconsultation.description")} hint=${t("form.markdown_hint")}>
      <textarea id="c-description" rows="4" value=${form.description} ...${tie("c-description", true)}
        onInput=${(e) => set("description")(e.target.value)}></textarea>
    </${Field}>
    <${Select} id="c-visibility" label=${t("newconsultation.visibility")} value=${form.visibility}
      onChange=${set("visibility")} options=${["members", "restricted", "public"].map((v) => [v, t(`visibility.${v}`)])} />
    ${form.visibility === "restricted" &&
    html`<fieldset aria-describedby="c-audience-hint">
      <legend>${t("cform.audience")}</legend>
      <p class="hint" id="c-audience-hint">${t("cform.audience_hint")}</p>
      ${errors["c-audience-observer"] && html`<p class="field-error">${errors["c-audience-observer"]}</p>`}
      ${AUDIENCE.map(
        (role) => html`<label class="choice" key=${role}>
          <input type="checkbox" id=${`c-audience-${role}`} checked=${form.audience.includes(role)}
            onChange=${(e) => toggle(role, e.currentTarget.checked)} />
          ${t(`cform.role_${role}`)}
        </label>`,
      )}
    </fieldset>`}
    ${form.visibility === "public" &&
    html`<${Select} id="c-participation" label=${t("newconsultation.participation")} value=${form.participation}
      onChange=${set("participation")}
      options=${["members", "signed_in", "verified"].map((v) => [v, t(`participation.${v}`)])} />`}
    <${Field} id="c-opens" error=${errors["c-opens"]} label=${t("newconsultation.opens")} hint=${t("newconsultation.opens_hint")}>
      <input type="datetime-local" id="c-opens" value=${form.opens_at} ...${tie("c-opens", true)}
        onInput=${(e) => set("opens_at")(e.target.value)} />
    </${Field}>
    <${Field} id="c-closes" error=${errors["c-closes"]} label=${t("newconsultation.closes")} hint=${t("newconsultation.time_hint")}>
      <input type="datetime-local" id="c-closes" value=${form.closes_at} ...${tie("c-closes", true)}
        onInput=${(e) => set("closes_at")(e.target.value)} />
    </${Field}>
    <${ProxyFields} form=${form} set=${set} errors=${errors} />`;
}

// Once published: the description, and the closing moved later (the API refuses earlier).
function PublishedFields({ form, set, errors, proxies }) {
  return html`
    <${Field} id="c-description" error=${errors["c-description"]} label=${t("newconsultation.description")} hint=${t("form.markdown_hint")}>
      <textarea id="c-description" rows="4" value=${form.description} aria-describedby=${describedBy("c-description", { hint: true, error: Boolean(errors["c-description"]) })}
        onInput=${(e) => set("description")(e.target.value)}></textarea>
    </${Field}>
    <${Field} id="c-closes" error=${errors["c-closes"]} label=${t("newconsultation.closes")} hint=${t("cform.closes_later")}>
      <input type="datetime-local" id="c-closes" value=${form.closes_at} aria-describedby=${describedBy("c-closes", { hint: true, error: Boolean(errors["c-closes"]) })}
        onInput=${(e) => set("closes_at")(e.target.value)} />
    </${Field}>
    ${proxies && html`<${ProxyFields} form=${form} set=${set} errors=${errors} />`}`;
}

export function EditConsultation({ id }) {
  const [state, reload] = useLoad(() => api(`/consultations/${enc(id)}`));
  useScreenTitle(state.data ? t("cform.edit_title") : null);
  if (state.loading) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  return html`<${EditForm} consultation=${state.data} />`;
}

function EditForm({ consultation: c }) {
  const before = consultationToForm(c);
  const [form, setForm] = useState(before);
  const [send, busy, error] = useSubmit();
  const back = html`<p class="back"><a href=${`/consultations/${enc(c.id)}`}>${t("tools.back_consultation", { title: c.title })}</a></p>`;
  if (c.status === "closed")
    return html`${back}<h1>${t("cform.edit_title")}</h1><p>${t("cform.closed")}</p>`;
  const published = c.status !== "draft";
  const set = (name) => (value) => setForm((f) => ({ ...f, [name]: value }));
  const submit = async (event) => {
    event.preventDefault();
    const body = changes(before, form);
    if (Object.keys(body).length === 0) return navigate(`/consultations/${enc(c.id)}`);
    const done = await send(() => api(`/consultations/${enc(c.id)}`, { method: "PATCH", body }));
    if (done) {
      sayOnReturn(t("manage.saved"));
      navigate(`/consultations/${enc(c.id)}`);
    }
    return undefined;
  };
  return html`${back}<h1>${t("cform.edit_title")}</h1>
    <form class="form" noValidate onSubmit=${submit}>
      <${Alert} error=${error} fields=${consultationFields()} />
      ${published
        ? html`<p>${t("cform.published")}</p>
            <${PublishedFields} form=${form} set=${set} errors=${fieldErrors(error, consultationFields())}
              proxies=${c.status === "scheduled"} />`
        : html`<${ConsultationFields} form=${form} set=${set} errors=${fieldErrors(error, consultationFields())} />`}
      <button type="submit" class="primary" disabled=${busy}>${t("cform.save")}</button>
    </form>`;
}
