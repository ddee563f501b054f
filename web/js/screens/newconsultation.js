// "/groups/{id}/consultations/new": an author (or above) of the association drafts a
// consultation; it opens on the consultation's page, where debates are added.
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";
import { useLoad, useScreenTitle, Alert, LoadingScreen, ErrorScreen } from "../ui.js";
import { atLeast, useSubmit, fieldErrors } from "../forms.js";
import { ConsultationFields, emptyConsultation, consultationBody, consultationFields } from "./editconsultation.js";

export function NewConsultation({ id }) {
  const [state, reload] = useLoad(() => api(`/groups/${enc(id)}`));
  const [form, setForm] = useState(emptyConsultation);
  const [send, busy, error, , fresh] = useSubmit();
  useScreenTitle(state.loading ? null : t("newconsultation.title"));
  if (state.loading) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  const group = state.data;
  const back = html`<p class="back"><a href=${`/groups/${enc(group.id)}`}>${t("tools.back", { group: group.name })}</a></p>`;
  if (!atLeast(group.my_role, "author"))
    return html`${back}<h1>${t("newconsultation.title")}</h1><p>${t("newconsultation.not_allowed")}</p>`;
  const set = (name) => (value) => {
    fresh();
    setForm((f) => ({ ...f, [name]: value }));
  };
  const submit = async (event) => {
    event.preventDefault();
    const body = consultationBody(form);
    const made = await send((key) =>
      api(`/groups/${enc(group.id)}/consultations`, { method: "POST", body, idempotencyKey: key }),
    );
    if (made) navigate(`/consultations/${enc(made.id)}`);
  };
  return html`${back}<h1>${t("newconsultation.title")}</h1>
    <form class="form" noValidate onSubmit=${submit}>
      <${Alert} error=${error} fields=${consultationFields()} />
      <${ConsultationFields} form=${form} set=${set} errors=${fieldErrors(error, consultationFields())} />
      <button type="submit" class="primary" disabled=${busy}>${t("newconsultation.submit")}</button>
    </form>`;
}
