// "/groups/{id}/consultations/new": an author (or above) of the association drafts a
// consultation; it opens on the consultation's page, where debates are added.
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";
import { useLoad, useScreenTitle, Alert, LoadingScreen, ErrorScreen } from "../ui.js";
import { Field, Select, atLeast, useSubmit, localToIso } from "../forms.js";

export function NewConsultation({ id }) {
  const [state, reload] = useLoad(() => api(`/groups/${enc(id)}`));
  const [form, setForm] = useState({
    title: "",
    description: "",
    visibility: "members",
    participation: "signed_in",
    closes_at: "",
    opens_at: "",
  });
  const [send, busy, error, , fresh] = useSubmit();
  useScreenTitle(state.loading ? null : t("newconsultation.title"));
  if (state.loading) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  const group = state.data;
  const back = html`<p class="back"><a href=${`/groups/${enc(group.id)}`}>${group.name}</a></p>`;
  if (!atLeast(group.my_role, "author"))
    return html`${back}<h1>${t("newconsultation.title")}</h1><p>${t("newconsultation.not_allowed")}</p>`;
  const set = (name) => (value) => {
    fresh();
    setForm((f) => ({ ...f, [name]: value }));
  };
  const submit = async (event) => {
    event.preventDefault();
    const body = {
      title: form.title,
      description: form.description,
      visibility: form.visibility,
      closes_at: localToIso(form.closes_at),
    };
    if (form.visibility === "public") body.participation = form.participation;
    if (form.opens_at) body.opens_at = localToIso(form.opens_at);
    const made = await send((key) =>
      api(`/groups/${enc(group.id)}/consultations`, { method: "POST", body, idempotencyKey: key }),
    );
    if (made) navigate(`/consultations/${enc(made.id)}`);
  };
  return html`${back}<h1>${t("newconsultation.title")}</h1>
    <form class="form" noValidate onSubmit=${submit}>
      <${Alert} error=${error} fields=${{
        title: ["c-title", t("newconsultation.name")],
        description: ["c-description", t("newconsultation.description")],
        closes_at: ["c-closes", t("newconsultation.closes")],
        opens_at: ["c-opens", t("newconsultation.opens")],
      }} />
      <${Field} id="c-title" label=${t("newconsultation.name")}>
        <input type="text" id="c-title" value=${form.title} maxLength="200" onInput=${(e) => set("title")(e.target.value)} />
      </${Field}>
      <${Field} id="c-description" label=${t("newconsultation.description")} hint=${t("form.markdown_hint")}>
        <textarea id="c-description" rows="4" value=${form.description} aria-describedby="c-description-hint"
          onInput=${(e) => set("description")(e.target.value)}></textarea>
      </${Field}>
      <${Select} id="c-visibility" label=${t("newconsultation.visibility")} value=${form.visibility}
        onChange=${set("visibility")} options=${["members", "public"].map((v) => [v, t(`visibility.${v}`)])} />
      ${form.visibility === "public" &&
      html`<${Select} id="c-participation" label=${t("newconsultation.participation")} value=${form.participation}
        onChange=${set("participation")}
        options=${["members", "signed_in", "verified"].map((v) => [v, t(`participation.${v}`)])} />`}
      <${Field} id="c-closes" label=${t("newconsultation.closes")} hint=${t("newconsultation.time_hint")}>
        <input type="datetime-local" id="c-closes" value=${form.closes_at} aria-describedby="c-closes-hint"
          onInput=${(e) => set("closes_at")(e.target.value)} />
      </${Field}>
      <${Field} id="c-opens" label=${t("newconsultation.opens")} hint=${t("newconsultation.opens_hint")}>
        <input type="datetime-local" id="c-opens" value=${form.opens_at} aria-describedby="c-opens-hint"
          onInput=${(e) => set("opens_at")(e.target.value)} />
      </${Field}>
      <button type="submit" class="primary" disabled=${busy}>${t("newconsultation.submit")}</button>
    </form>`;
}
