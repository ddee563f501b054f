// Partner associations of a consultation. The host's admins invite one (picked from the
// directory, or by its id), see each partner's status and end a partnership
// (`Partners`, on "/consultations/{id}/access"). The invited association's admins find what
// awaits their answer on "/groups/{id}/partner-invitations" and accept or decline there.
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { useLoad, useScreenTitle, Alert, Paragraphs, LoadingScreen, ErrorScreen, Dates } from "../ui.js";
import { Field, Select, useSubmit } from "../forms.js";

export function Partners({ consultation: c, directory, onChange }) {
  const names = Object.fromEntries((directory || []).map((g) => [g.id, g.name]));
  const taken = new Set([c.group_id, ...c.partners.map((p) => p.group_id)]);
  const choices = (directory || []).filter((g) => !taken.has(g.id));
  const [picked, setPicked] = useState("");
  const [typed, setTyped] = useState("");
  const [note, setNote] = useState("");
  const [send, busy, error, , fresh] = useSubmit();
  const [removing, setRemoving] = useState(null);
  const [removeError, setRemoveError] = useState(null);
  const invite = async (event) => {
    event.preventDefault();
    setNote("");
    const groupId = typed.trim() || picked;
    const done = await send((key) =>
      api(`/consultations/${enc(c.id)}/partners`, { method: "POST", body: { group_id: groupId }, idempotencyKey: key }),
    );
    if (done) {
      setPicked("");
      setTyped("");
      setNote(t("partners.invited", { name: names[groupId] || groupId }));
      onChange();
    }
  };
  const remove = async (groupId) => {
    setRemoving(groupId);
    setRemoveError(null);
    setNote("");
    try {
      await api(`/consultations/${enc(c.id)}/partners/${enc(groupId)}`, { method: "DELETE" });
      setNote(t("partners.removed", { name: names[groupId] || groupId }));
      onChange();
    } catch (e) {
      setRemoveError(e);
    } finally {
      setRemoving(null);
    }
  };
  return html`<section aria-labelledby="partners-title">
    <h2 id="partners-title">${t("partners.title")}</h2>
    <p>${c.visibility === "restricted" ? t("partners.restricted") : t("partners.intro")}</p>
    <p role="status" class="note">${note}</p>
    <${Alert} error=${removeError} />
    ${c.partners.length === 0
      ? html`<p>${t("partners.none")}</p>`
      : html`<ul class="rows">
          ${c.partners.map(
            (p) => html`<li class="row" key=${p.group_id}>
              <span class="row-main">${names[p.group_id] || p.group_id}</span>
              <span class=${`badge badge-${p.status === "accepted" ? "open" : "scheduled"}`}>${t(`partners.status_${p.status}`)}</span>
              <button type="button" class="secondary" disabled=${removing === p.group_id}
                aria-label=${t("partners.remove_named", { name: names[p.group_id] || p.group_id })}
                onClick=${() => remove(p.group_id)}>${t("partners.remove")}</button>
            </li>`,
          )}
        </ul>`}
    ${c.visibility !== "restricted" && html`<form class="form" noValidate onSubmit=${invite}>
      <h3>${t("partners.invite_title")}</h3>
      <${Alert} error=${error} fields=${{ group_id: ["p-group", t("partners.pick")] }} />
      <${Select} id="p-group" label=${t("partners.pick")} value=${picked}
        onChange=${(v) => { fresh(); setPicked(v); }}
        options=${[["", t("partners.pick_none")], ...choices.map((g) => [g.id, g.name])]} />
      <${Field} id="p-id" label=${t("partners.paste")} hint=${t("partners.paste_hint")}>
        <input type="text" id="p-id" value=${typed} autocomplete="off" spellcheck="false" aria-describedby="p-id-hint"
          onInput=${(e) => { fresh(); setTyped(e.target.value); }} />
      </${Field}>
      <button type="submit" class="primary" disabled=${busy}>${t("partners.invite")}</button>
    </form>`}
  </section>`;
}

// "/groups/{id}/partner-invitations": what the association is invited to share, for its
// admins to accept or decline. Two requests: the association, and the invitations.
export function PartnerInvitations({ id }) {
  const [accepted, setAccepted] = useState(null);
  const [state, reload] = useLoad(async () => {
    const [group, invitations] = await Promise.all([
      api(`/groups/${enc(id)}`),
      api(`/groups/${enc(id)}/partner-invitations?limit=100`),
    ]);
    return { group, items: invitations.items };
  });
  useScreenTitle(state.data ? t("partners.invitations_title") : null);
  if (state.loading && !state.data) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  const { group, items } = state.data;
  return html`<p class="back"><a href=${`/groups/${enc(group.id)}`}>${t("tools.back", { group: group.name })}</a></p>
    <h1>${t("partners.invitations_title")}</h1>
    <p>${t("partners.invitations_intro", { name: group.name })}</p>
    <div role="status">
      ${accepted &&
      html`<p class="note">${t("partners.accepted", { title: accepted.title })}${" "}
        ${accepted.visibility === "restricted"
          ? t("partners.accepted_restricted")
          : html`<a href=${`/consultations/${enc(accepted.id)}`}>${t("partners.open")}</a>`}</p>`}
    </div>
    ${items.length === 0
      ? html`<p>${t("partners.invitations_none")}</p>`
      : html`<ul class="cards">
          ${items.map(
            (c) => html`<${Invitation} key=${c.id} consultation=${c} group=${group}
              onAccepted=${() => { setAccepted(c); reload(); }} onAnswered=${() => { setAccepted(null); reload(); }} />`,
          )}
        </ul>`}`;
}

function Invitation({ consultation: c, group, onAccepted, onAnswered }) {
  const [send, busy, error] = useSubmit();
  const accept = async () => {
    const done = await send(() =>
      api(`/consultations/${enc(c.id)}/partners/${enc(group.id)}/accept`, { method: "POST" }),
    );
    if (done) onAccepted();
  };
  const decline = async () => {
    const done = await send(() =>
      api(`/consultations/${enc(c.id)}/partners/${enc(group.id)}`, { method: "DELETE" }).then(() => true),
    );
    if (done) onAnswered();
  };
  const titleId = `inv-${c.id}`;
  return html`<li class="card">
    <h2 class="card-title" id=${titleId}>${c.title}</h2>
    <p class="meta">${t("partners.invited_by", { name: c.group.name })} · <${Dates} item=${c} /></p>
    <${Paragraphs} text=${c.description} />
    <${Alert} error=${error} />
    <p class="actions">
      <button type="button" class="primary" disabled=${busy} onClick=${accept}>${t("partners.accept")}</button>
      <button type="button" class="secondary" disabled=${busy} onClick=${decline}>${t("partners.decline")}</button>
    </p>
  </li>`;
}
