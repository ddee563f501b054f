// "/groups/{id}/members": who belongs to the association and with which role (its members
// read it); its admins change a role (PUT) or remove a member (DELETE, after a second
// step). "/groups/{id}/requests": the requests to join, approved or rejected by its admins.
// The API decides: its refusals (the last admin, a role that does not allow it) are shown
// beside the member they concern.
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t, formatDate } from "../i18n.js";
import { Alert } from "../ui.js";
import { useSubmit, RolesHelp } from "../forms.js";
import { useGroupList, ToolScreen, More, Confirm, Person, useSaid } from "./grouptools.js";

const ROLES = ["observer", "participant", "author", "moderator", "admin"];

export function Members({ id }) {
  const [state, reload, setData, more] = useGroupList(id, "members");
  const [said, say] = useSaid();
  const data = state.data;
  const admin = Boolean(data && data.group.my_role === "admin");
  const changed = (member) => {
    setData((d) => ({ ...d, items: d.items.map((m) => (m.id === member.id ? member : m)) }));
    say(t("members.role_changed", { name: member.name, role: t(`role.${member.role}`) }));
  };
  const removed = (member) => {
    setData((d) => ({
      ...d,
      group: { ...d.group, member_count: d.group.member_count - 1 },
      items: d.items.filter((m) => m.id !== member.id),
    }));
    say(t("members.removed", { name: member.name }), { focus: true });
  };
  return html`<${ToolScreen} state=${state} reload=${reload} title=${t("members.title")}>
    ${data &&
    html`<p class="meta">${t("members", { count: data.group.member_count })}</p>
      ${admin && html`<p><a href=${`/groups/${enc(id)}/requests`}>${t("requests.title")}</a></p>`}
      ${admin && html`<${RolesHelp} />`}
      ${said}
      <ul class="cards members">
        ${data.items.map(
          (m) => html`<li class="card" key=${m.id}>
            <p class="card-title"><${Person} name=${m.name} id=${m.id} /></p>
            <p class="meta">${t("members.since", { date: formatDate(m.joined_at) })}</p>
            ${admin
              ? html`<${MemberTools} member=${m} policy=${data.group.join_policy} onChanged=${changed} onRemoved=${removed} onAct=${() => say("")} />`
              : html`<p>${t("members.role", { role: t(`role.${m.role}`) })}</p>`}
          </li>`,
        )}
      </ul>
      <${More} next=${data.next} more=${more} label=${t("members.more")} />`}
  </${ToolScreen}>`;
}

// onAct: an act begins, so what the page said of an earlier one no longer stands beside it.
function MemberTools({ member, policy, onChanged, onRemoved, onAct }) {
  const [role, setRole] = useState(member.role);
  const [send, busy, error] = useSubmit();
  const [removing, removingBusy, removeError] = useSubmit();
  const selectId = `role-${member.id}`;
  const submit = async (event) => {
    event.preventDefault();
    if (role === member.role) return;
    onAct();
    const updated = await send(() =>
      api(`/groups/${enc(member.group_id)}/members/${enc(member.id)}`, { method: "PUT", body: { role } }),
    );
    if (updated) onChanged(updated);
    else setRole(member.role); // refused: the role shown is the one held
  };
  const remove = async () => {
    onAct();
    const done = await removing(() =>
      api(`/groups/${enc(member.group_id)}/members/${enc(member.id)}`, { method: "DELETE" }).then(() => true),
    );
    if (done) onRemoved(member);
  };
  return html`<${Alert} error=${error || removeError} />
    <form class="member-role" noValidate onSubmit=${submit}>
      <label for=${selectId}>${t("members.role_of", { name: member.name })}</label>
      <div class="inline">
        <select id=${selectId} value=${role} onChange=${(e) => setRole(e.target.value)}>
          ${ROLES.map((r) => html`<option value=${r} selected=${r === role}>${t(`role.${r}`)}</option>`)}
        </select>
        <button type="submit" disabled=${busy}>${t("members.change_role")}<span class="sr-only"> ${t("members.of", { name: member.name })}</span></button>
      </div>
    </form>
    <${Confirm} label=${html`${t("members.remove")}<span class="sr-only"> ${member.name}</span>`} busy=${removingBusy} onConfirm=${remove}
      question=${t(`members.remove_question.${policy === "open" || policy === "request" ? policy : "invite"}`, { name: member.name })} confirm=${t("members.remove_confirm")} />`;
}

export function JoinRequests({ id }) {
  const [state, reload, setData, more] = useGroupList(id, "join-requests");
  const [said, say] = useSaid();
  const data = state.data;
  const done = (request, message) => {
    setData((d) => ({ ...d, items: d.items.filter((r) => r.id !== request.id) }));
    say(message, { focus: true });
  };
  return html`<${ToolScreen} state=${state} reload=${reload} title=${t("requests.title")}>
    ${data &&
    html`<p class="meta">${t(`requests.policy.${data.group.join_policy}`)}</p>
      ${said}
      ${data.items.length === 0
        ? html`<p>${t("requests.none")}</p>`
        : html`<ul class="cards">
            ${data.items.map(
              (r) => html`<li class="card" key=${r.id}>
                <p class="card-title"><${Person} name=${r.name} id=${r.id} /></p>
                <p class="meta">${t("requests.at", { date: formatDate(r.requested_at) })}</p>
                <${RequestTools} request=${r} onDone=${done} onAct=${() => say("")} />
              </li>`,
            )}
          </ul>`}
      <${More} next=${data.next} more=${more} label=${t("requests.more")} />
      <p><a href=${`/groups/${enc(id)}/members`}>${t("members.title")}</a></p>`}
  </${ToolScreen}>`;
}

function RequestTools({ request, onDone, onAct }) {
  const [send, busy, error] = useSubmit();
  const path = `/groups/${enc(request.group_id)}/join-requests/${enc(request.id)}`;
  const approve = async () => {
    onAct();
    const member = await send((key) => api(`${path}/approve`, { method: "POST", idempotencyKey: key }));
    if (member) onDone(request, t("requests.approved", { name: request.name, role: t(`role.${member.role}`) }));
  };
  const reject = async () => {
    onAct();
    const rejected = await send(() => api(`${path}/reject`, { method: "POST" }).then(() => true));
    if (rejected) onDone(request, t("requests.rejected", { name: request.name }));
  };
  const suffix = html`<span class="sr-only"> ${t("requests.of", { name: request.name })}</span>`;
  return html`<${Alert} error=${error} />
    <p class="actions">
      <button type="button" class="primary" disabled=${busy} onClick=${approve}>${t("requests.approve")}${suffix}</button>
      <button type="button" disabled=${busy} onClick=${reject}>${t("requests.reject")}${suffix}</button>
    </p>`;
}
