// "/groups/new": a signed-in person creates an association (they become its admin).
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { getToken, signInUrl } from "../session.js";
import { navigate } from "../router.js";
import { useScreenTitle, Alert } from "../ui.js";
import { Field, Check, Select, useSubmit } from "../forms.js";

export function NewGroup() {
  const [form, setForm] = useState({ name: "", description: "", listed: true, join_policy: "invite" });
  const [send, busy, error, , fresh] = useSubmit();
  useScreenTitle(t("newgroup.title"));
  if (!getToken())
    return html`<h1>${t("newgroup.title")}</h1>
      <p><a href=${signInUrl()}>${t("newgroup.sign_in")}</a></p>`;
  const set = (name) => (value) => {
    fresh();
    setForm((f) => ({ ...f, [name]: value }));
  };
  const submit = async (event) => {
    event.preventDefault();
    const group = await send((key) => api("/groups", { method: "POST", body: form, idempotencyKey: key }));
    if (group) navigate(`/groups/${enc(group.id)}`);
  };
  return html`<h1>${t("newgroup.title")}</h1>
    <form class="form" noValidate onSubmit=${submit}>
      <${Alert} error=${error} fields=${{ name: ["group-name", t("newgroup.name")], description: ["group-description", t("newgroup.description")] }} />
      <${Field} id="group-name" label=${t("newgroup.name")}>
        <input type="text" id="group-name" value=${form.name} maxLength="100" autocomplete="organization"
          onInput=${(e) => set("name")(e.target.value)} />
      </${Field}>
      <${Field} id="group-description" label=${t("newgroup.description")} hint=${t("form.markdown_hint")}>
        <textarea id="group-description" rows="4" value=${form.description} aria-describedby="group-description-hint"
          onInput=${(e) => set("description")(e.target.value)}></textarea>
      </${Field}>
      <${Check} id="group-listed" label=${t("newgroup.listed")} checked=${form.listed} onChange=${set("listed")} />
      <${Select} id="group-policy" label=${t("newgroup.policy")} value=${form.join_policy} onChange=${set("join_policy")}
        hint=${t("settings.policy_hint")}
        options=${["invite", "request", "open"].map((p) => [p, t(`policy.${p}`)])} />
      <button type="submit" class="primary" disabled=${busy}>${t("newgroup.submit")}</button>
    </form>`;
}
