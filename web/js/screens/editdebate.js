// "/debates/{id}/edit": a debate's question and decision, changed before the consultation
// opens (its creator, the consultation's creator, the host's admins, granted admins).
// Only what changed is sent; the API decides and its refusal shows.
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";
import { useLoad, useScreenTitle, Alert, LoadingScreen, ErrorScreen } from "../ui.js";
import { useSubmit, fieldErrors } from "../forms.js";
import { DebateFields, debateToForm, formToBody, debateFields, withType } from "./debateform.js";
import { sayOnReturn } from "./manage.js";

export function EditDebate({ id }) {
  const [state, reload] = useLoad(() => api(`/debates/${enc(id)}`));
  useScreenTitle(state.data ? t("debateform.edit_title") : null);
  if (state.loading) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  return html`<${EditForm} debate=${state.data} />`;
}

function EditForm({ debate }) {
  const before = debateToForm(debate);
  const [form, setForm] = useState(before);
  const [send, busy, error, setError] = useSubmit();
  const back = html`<p class="back"><a href=${`/consultations/${enc(debate.consultation_id)}`}>${t("debate.back")}</a></p>`;
  if (debate.status !== "draft" && debate.status !== "scheduled")
    return html`${back}<h1>${t("debateform.edit_title")}</h1><p>${t("debateform.locked")}</p>`;
  const set = (name) => (value) => setForm((f) => ({ ...f, [name]: value }));
  const submit = async (event) => {
    event.preventDefault();
    let after;
    try {
      after = formToBody(form);
    } catch (invalid) {
      return setError(invalid);
    }
    const was = formToBody(before);
    const body = {};
    for (const key of Object.keys(after)) {
      if (JSON.stringify(after[key]) !== JSON.stringify(was[key])) body[key] = after[key];
    }
    if (Object.keys(body).length > 0) {
      const done = await send(() => api(`/debates/${enc(debate.id)}`, { method: "PATCH", body }));
      if (!done) return undefined;
      sayOnReturn(t("manage.saved"));
    }
    return navigate(`/consultations/${enc(debate.consultation_id)}`);
  };
  return html`${back}<h1>${t("debateform.edit_title")}</h1>
    <form class="form" noValidate onSubmit=${submit}>
      <${Alert} error=${error} fields=${debateFields(form.type)} />
      <${DebateFields} errors=${fieldErrors(error, debateFields(form.type))} form=${form} set=${set} changeType=${(type) => setForm((f) => withType(f, type))} />
      <button type="submit" class="primary" disabled=${busy}>${t("debateform.save")}</button>
    </form>`;
}
