// "/groups/{id}/invitations": its admins create an invitation (a role, how long it lasts,
// how many may use it), copy its link to share it, see those still listed (with what each
// does now: usable, expired, used up, void) and revoke one (after a second step).
import { html, useState, useRef, useEffect } from "../lib.js";
import { api, enc } from "../api.js";
import { t, formatDate } from "../i18n.js";
import { Alert } from "../ui.js";
import { Field, Select, useSubmit, RolesHelp } from "../forms.js";
import { useGroupList, ToolScreen, More, Confirm, Person, useSaid } from "./grouptools.js";

const ROLES = ["observer", "participant", "author", "moderator", "admin"];
const DAYS = [1, 7, 30, 90]; // the API takes 1 hour to 90 days, 7 days unless told

export function invitationLink(code) {
  return `${location.origin}/invitations/${enc(code)}`;
}

export function Invitations({ id }) {
  const [state, reload, setData, more] = useGroupList(id, "invitations");
  const [made, setMade] = useState(null);
  const [said, say] = useSaid();
  const madeTitle = useRef(null);
  useEffect(() => {
    if (made && madeTitle.current) madeTitle.current.focus();
  }, [made]);
  const data = state.data;
  const created = (invitation) => {
    setMade(invitation);
    say("");
    const listed = { ...invitation, status: "usable", created_by: null };
    setData((d) => ({ ...d, items: [listed, ...d.items] }));
  };
  const revoked = (invitation) => {
    setData((d) => ({ ...d, items: d.items.filter((i) => i.code !== invitation.code) }));
    if (made && made.code === invitation.code) setMade(null);
    say(t("invitations.revoked"), { focus: true });
  };
  return html`<${ToolScreen} state=${state} reload=${reload} title=${t("invitations.title")}>
    ${data &&
    html`<${NewInvitation} groupId=${id} onCreated=${created} onAct=${() => say("")} />
      ${made &&
      html`<section class="made" aria-labelledby="made-title">
        <h2 id="made-title" tabindex="-1" ref=${madeTitle}>${t("invitations.made")}</h2>
        <p>${t("invitations.made_text", { role: t(`role.${made.role}`), date: formatDate(made.expires_at) })}</p>
        ${made.email && html`<p>${t("invitations.emailed", { email: made.email })}</p>`}
        <${CopyLink} id="made-link" label=${t("invitations.link")} link=${invitationLink(made.code)} />
      </section>`}
      <h2>${t("invitations.pending")}</h2>
      ${said}
      ${data.items.length === 0
        ? html`<p>${t("invitations.none")}</p>`
        : html`<ul class="cards">
            ${data.items.map((i) => html`<${Listed} key=${i.code} invitation=${i} onRevoked=${revoked} onAct=${() => say("")} />`)}
          </ul>`}
      <${More} next=${data.next} more=${more} label=${t("invitations.more")} />`}
  </${ToolScreen}>`;
}

// onAct: an act begins, so what the page said of an earlier one no longer stands beside it.
function NewInvitation({ groupId, onCreated, onAct }) {
  const [form, setForm] = useState({ role: "participant", days: "7", max_uses: "", email: "" });
  const [send, busy, error, , fresh] = useSubmit();
  const set = (name) => (value) => {
    fresh();
    setForm((f) => ({ ...f, [name]: value }));
  };
  const submit = async (event) => {
    event.preventDefault();
    onAct();
    const uses = form.max_uses.trim();
    const body = {
      role: form.role,
      expires_in_hours: Number(form.days) * 24,
      max_uses: uses === "" ? null : Number.isInteger(Number(uses)) ? Number(uses) : uses,
    };
    if (form.email.trim()) body.email = form.email.trim(); // the Hub emails the link there
    const invitation = await send((key) =>
      api(`/groups/${enc(groupId)}/invitations`, { method: "POST", body, idempotencyKey: key }),
    );
    if (invitation) {
      fresh();
      setForm((f) => ({ ...f, email: "" }));
      onCreated(invitation);
    }
  };
  return html`<form class="form" noValidate onSubmit=${submit}>
    <h2>${t("invitations.new")}</h2>
    <${Alert} error=${error} fields=${{ role: ["inv-role", t("invitations.role")], max_uses: ["inv-uses", t("invitations.uses")], email: ["inv-email", t("invitations.email")] }} />
    <${Select} id="inv-role" label=${t("invitations.role")} value=${form.role} onChange=${set("role")}
      hint=${t("invitations.role_hint")}
      options=${ROLES.map((r) => [r, t(`role.${r}`)])} />
    <${RolesHelp} />
    <${Select} id="inv-days" label=${t("invitations.validity")} value=${form.days} onChange=${set("days")}
      options=${DAYS.map((d) => [String(d), t("invitations.days", { count: d })])} />
    <${Field} id="inv-uses" label=${t("invitations.uses")} hint=${t("invitations.uses_hint")}>
      <input type="number" id="inv-uses" min="1" max="10000" step="1" inputmode="numeric" value=${form.max_uses}
        aria-describedby="inv-uses-hint" onInput=${(e) => set("max_uses")(e.target.value)} />
    </${Field}>
    <${Field} id="inv-email" label=${t("invitations.email")} hint=${t("invitations.email_hint")}>
      <input type="email" id="inv-email" maxlength="254" autocomplete="off" value=${form.email}
        aria-describedby="inv-email-hint" onInput=${(e) => set("email")(e.target.value)} />
    </${Field}>
    <button type="submit" class="primary" disabled=${busy}>${t("invitations.submit")}</button>
  </form>`;
}

// The link in a field of its own (selectable by hand) and a button that copies it; what
// happened is said in a live region.
export function CopyLink({ id, label, link, named = "" }) {
  const [said, setSaid] = useState("");
  const field = useRef(null);
  const copy = () =>
    navigator.clipboard.writeText(link).then(
      () => setSaid(t("invitations.copied")),
      () => {
        setSaid(t("invitations.copy_failed"));
        if (field.current) field.current.select();
      },
    );
  return html`<div class="copy-link">
    <label for=${id}>${label}</label>
    <input type="text" id=${id} ref=${field} readonly value=${link} onFocus=${(e) => e.target.select()} />
    <button type="button" onClick=${copy}>${t("invitations.copy")}${named && html`<span class="sr-only"> ${named}</span>`}</button>
    <p class="note" role="status" aria-live="polite">${said}</p>
  </div>`;
}

function Listed({ invitation: i, onRevoked, onAct }) {
  const [send, busy, error] = useSubmit();
  const revoke = async () => {
    onAct();
    const done = await send(() =>
      api(`/groups/${enc(i.group_id)}/invitations/${enc(i.code)}`, { method: "DELETE" }).then(() => true),
    );
    if (done) onRevoked(i);
  };
  const uses = i.max_uses === null ? t("invitations.uses_unlimited", { count: i.uses }) : t("invitations.uses_of", { uses: i.uses, max: i.max_uses });
  const which = t("invitations.which", { role: t(`role.${i.role}`), date: formatDate(i.created_at) });
  return html`<li class="card">
    <p class="card-title">${t("invitations.for_role", { role: t(`role.${i.role}`) })}
      ${" "}<span class=${`badge badge-invitation-${i.status}`}>${t(`invitations.status.${i.status}`)}</span></p>
    ${i.email && html`<p class="meta">${t("invitations.emailed", { email: i.email })}</p>`}
    <p class="meta">${uses} · ${i.status === "expired" ? t("invitations.expired_on", { date: formatDate(i.expires_at) }) : t("invitations.expires", { date: formatDate(i.expires_at) })}</p>
    ${i.created_by && html`<p class="meta">${t("invitations.by")} <${Person} name=${i.created_by.name} id=${i.created_by.id} /></p>`}
    ${i.status === "usable" &&
    html`<${CopyLink} id=${`link-${i.code}`} label=${t("invitations.link")} link=${invitationLink(i.code)} named=${which} />`}
    <${Alert} error=${error} />
    <${Confirm} label=${html`${t("invitations.revoke")}<span class="sr-only"> ${which}</span>`} busy=${busy} onConfirm=${revoke}
      question=${t("invitations.revoke_question")} confirm=${t("invitations.revoke_confirm")} />
  </li>`;
}
