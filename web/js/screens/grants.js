// One person's role in one consultation, member of the host or not (the host's admins):
// the list, with each role changed or taken back, and a new one given by user id (the
// host's members are offered as suggestions).
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { Alert } from "../ui.js";
import { Field, Select, useSubmit, RolesHelp } from "../forms.js";

const ROLES = ["observer", "participant", "author", "moderator", "admin"];
const roleOptions = () => ROLES.map((r) => [r, t(`role.${r}`)]);

export function Grants({ consultation: c, grants, members, onChange }) {
  const names = Object.fromEntries((members || []).map((m) => [m.id, m.name]));
  const [person, setPerson] = useState("");
  const [role, setRole] = useState("participant");
  const [note, setNote] = useState("");
  const [send, busy, error] = useSubmit();
  const give = async (event) => {
    event.preventDefault();
    setNote("");
    const userId = person.trim();
    const done = await send(() =>
      api(`/consultations/${enc(c.id)}/grants/${enc(userId)}`, { method: "PUT", body: { role } }),
    );
    if (done) {
      setPerson("");
      setNote(t("grants.given", { name: names[userId] || userId, role: t(`role.${role}`) }));
      onChange();
    }
  };
  return html`<section aria-labelledby="grants-title">
    <h2 id="grants-title">${t("grants.title")}</h2>
    <p>${t("grants.intro")}</p>
    <p role="status" class="note">${note}</p>
    ${grants.length === 0
      ? html`<p>${t("grants.none")}</p>`
      : html`<ul class="rows">
          ${grants.map((g) => html`<${GrantRow} key=${g.id} consultation=${c} grant=${g} name=${names[g.id] || g.id} onChange=${onChange} setNote=${setNote} />`)}
        </ul>`}
    <form class="form" noValidate onSubmit=${give}>
      <h3>${t("grants.add_title")}</h3>
      <${Alert} error=${error} fields=${{ role: ["g-role", t("grants.role")] }} />
      <${Field} id="g-person" label=${t("grants.person")} hint=${t("grants.person_hint")}>
        <input type="text" id="g-person" list="g-members" value=${person} autocomplete="off" spellcheck="false"
          aria-describedby="g-person-hint" onInput=${(e) => setPerson(e.target.value)} />
        <datalist id="g-members">
          ${(members || []).map((m) => html`<option value=${m.id}>${m.name}</option>`)}
        </datalist>
      </${Field}>
      <${Select} id="g-role" label=${t("grants.role")} value=${role} onChange=${setRole} options=${roleOptions()} />
      <${RolesHelp} />
      <button type="submit" class="primary" disabled=${busy}>${t("grants.give")}</button>
    </form>
  </section>`;
}

function GrantRow({ consultation: c, grant, name, onChange, setNote }) {
  const [role, setRole] = useState(grant.role);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const act = async (request, done) => {
    setBusy(true);
    setError(null);
    setNote("");
    try {
      await request();
      setNote(done);
      onChange();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const url = `/consultations/${enc(c.id)}/grants/${enc(grant.id)}`;
  const selectId = `grant-${grant.id}`;
  return html`<li class="row">
    <span class="row-main">${name}</span>
    <span class="row-role">
      <label for=${selectId} class="sr-only">${t("grants.role_of", { name })}</label>
      <select id=${selectId} value=${role} onChange=${(e) => setRole(e.target.value)}>
        ${roleOptions().map(([v, text]) => html`<option value=${v} selected=${v === role}>${text}</option>`)}
      </select>
    </span>
    <button type="button" disabled=${busy || role === grant.role} aria-label=${t("grants.change_named", { name })}
      onClick=${() => act(() => api(url, { method: "PUT", body: { role } }), t("grants.changed", { name, role: t(`role.${role}`) }))}>
      ${t("grants.change")}
    </button>
    <button type="button" class="secondary" disabled=${busy} aria-label=${t("grants.remove_named", { name })}
      onClick=${() => act(() => api(url, { method: "DELETE" }), t("grants.removed", { name }))}>
      ${t("grants.remove")}
    </button>
    <${Alert} error=${error} />
  </li>`;
}
