// "/consultations/{id}": the consultation and its debates; the list carries each debate's
// state for the reader (my_ballot, can_vote) and the consultation what the reader may do to
// it (my_permissions): two requests, at once.
import { html } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { Manage } from "./manage.js";
import { Publication } from "./publication.js";
import { ConsultationProxies } from "./proxies.js";
import { useLoad, useScreenTitle, Paragraphs, LoadingScreen, ErrorScreen, StatusBadge, Dates } from "../ui.js";

// The reader's part in a debate; a petition is signed, not voted.
function debateState(debate) {
  const petition = debate.function.type === "petition";
  if (debate.my_ballot && debate.my_ballot.by) return html`<span class="state state-done">${t("proxy.state_by_holder")}</span>`;
  if (debate.my_ballot) return html`<span class="state state-done">${t(petition ? "debate.signed" : "debate.voted")}</span>`;
  if (debate.can_vote && debate.can_vote.allowed)
    return html`<span class="state state-todo">${t(petition ? "debate.can_sign" : "debate.can_vote")}</span>`;
  return null;
}

function commentCount(debate) {
  const c = debate.comments || {};
  return (c.pro || 0) + (c.con || 0) + (c.neutral || 0);
}

export function Consultation({ id }) {
  const [state, reload] = useLoad(async () => {
    const [consultation, debates] = await Promise.all([
      api(`/consultations/${enc(id)}`), // with my_permissions: the tools the reader is offered
      api(`/consultations/${enc(id)}/debates?limit=100`),
    ]);
    return { consultation, debates: debates.items };
  });
  useScreenTitle(state.data && state.data.consultation.title);
  if (state.loading && !state.data) return html`<${LoadingScreen} />`; // a reload keeps the screen
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  const { consultation: c, debates } = state.data;
  return html`<h1>${c.title}</h1>
    <p class="meta">
      ${t("consultation.host")}${" "}
      <a href=${`/groups/${enc(c.group.id)}`}>${c.group.name}</a>
    </p>
    <p class="meta"><${StatusBadge} status=${c.status} /> <${Dates} item=${c} /></p>
    <p class="meta">${t(`visibility.${c.visibility}`)}</p>
    ${c.proxies && c.proxies.allowed && html`<p class="meta">${t("proxy.allowed_meta", { count: c.proxies.max_per_holder })}</p>`}
    <${Paragraphs} text=${c.description} />
    <h2>${t("consultation.debates")}</h2>
    ${debates.length === 0
      ? html`<p>${t("consultation.debates_none")}</p>`
      : html`<ul class="cards">
          ${debates.map(
            (d) => html`<li class="card">
              <a class="card-title" href=${`/debates/${enc(d.id)}`}>${d.title}</a>
              <p class="meta">
                ${t(`kind.${d.function.type}`)}
                ${" · "}${t("args.count", { count: commentCount(d) })}
              </p>
              ${debateState(d) && html`<p>${debateState(d)}</p>`}
            </li>`,
          )}
        </ul>`}
    <${ConsultationProxies} consultation=${c} debates=${debates} />
    <${Publication} consultation=${c} />
    <${Manage} consultation=${c} debates=${debates} onChange=${reload} />`;
}
