// "/groups/{id}/settings": the association's name, description, listing and join policy,
// changed by its admins (PATCH /v1/groups/{id}, audited). One request to show it; saving
// sends only what changed.
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { getToken, signInUrl } from "../session.js";
import { useLoad, useScreenTitle, Alert, LoadingScreen, ErrorScreen } from "../ui.js";
import { Field, Check, Select, useSubmit } from "../forms.js";

const FIELDS = ["name", "description", "listed", "join_policy"];

export function GroupSettings({ id }) {
  const [state, reload, setData] = useLoad(() => api(`/groups/${enc(id)}`));
  const title = t("settings.title");
  const group = state.data;
  useScreenTitle(group ? `${title} · ${group.name}` : null);
  if (state.loading) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  const back = html`<p class="back"><a href=${`/groups/${enc(group.id)}`}>${t("tools.back", { group: group.name })}</a></p>`;
  if (group.my_role !== "admin")
    return html`${back}<h1>${title}</h1>
      <p class="alert" role="alert">${t("settings.admins_only")}</p>
      ${!getToken() && html`<p><a href=${signInUrl()}>${t("tools.sign_in")}</a></p>`}`;
  return html`${back}<h1>${title}</h1>
    <${SettingsForm} key=${group.id} group=${group} onSaved=${(saved) => setData(saved)} />`;
}

function SettingsForm({ group, onSaved }) {
  const [form, setForm] = useState(() => Object.fromEntries(FIELDS.map((f) => [f, group[f]])));
  const [saved, setSaved] = useState("");
  const [send, busy, error] = useSubmit();
  const set = (name) => (value) => {
    setSaved("");
    setForm((f) => ({ ...f, [name]: value }));
  };
  const submit = async (event) => {
    event.preventDefault();
    const changed = Object.fromEntries(FIELDS.filter((f) => form[f] !== group[f]).map((f) => [f, form[f]]));
    if (Object.keys(changed).length === 0) {
      setSaved(t("settings.unchanged"));
      return;
    }
    const updated = await send(() => api(`/groups/${enc(group.id)}`, { method: "PATCH", body: changed }));
    if (updated) {
      setSaved(t("settings.saved"));
      onSaved(updated);
    }
  };
  return html`<form class="form" noValidate onSubmit=${submit}>
    <p role="status" class="note saved">${saved}</p>
    <${Alert} error=${error} fields=${{ name: ["settings-name", t("newgroup.name")], description: ["settings-description", t("newgroup.description")] }} />
    <${Field} id="settings-name" label=${t("newgroup.name")}>
      <input type="text" id="settings-name" value=${form.name} maxLength="100" autocomplete="organization"
        onInput=${(e) => set("name")(e.target.value)} />
    </${Field}>
    <${Field} id="settings-description" label=${t("newgroup.description")} hint=${t("form.markdown_hint")}>
      <textarea id="settings-description" rows="6" value=${form.description} aria-describedby="settings-description-hint"
        onInput=${(e) => set("description")(e.target.value)}></textarea>
    </${Field}>
    <${Check} id="settings-listed" label=${t("newgroup.listed")} checked=${form.listed} onChange=${set("listed")} />
    <${Select} id="settings-policy" label=${t("newgroup.policy")} value=${form.join_policy} onChange=${set("join_policy")}
      hint=${t("settings.policy_hint")}
      options=${["invite", "request", "open"].map((p) => [p, t(`policy.${p}`)])} />
    <button type="submit" class="primary" disabled=${busy}>${t("settings.submit")}</button>
  </form>`;
}
