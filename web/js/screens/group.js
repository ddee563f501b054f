// "/groups/{id}": the association, its description, members and consultations.
import { html, useState, useRef } from "../lib.js";
import { api, enc, newIdempotencyKey } from "../api.js";
import { getToken } from "../session.js";
import { t } from "../i18n.js";
import { atLeast } from "../forms.js";
import { useLoad, useScreenTitle, Alert, Paragraphs, LoadingScreen, ErrorScreen, StatusBadge, Dates } from "../ui.js";

export function Group({ id }) {
  const [state, reload] = useLoad(async () => {
    const [group, consultations] = await Promise.all([
      api(`/groups/${enc(id)}`),
      api(`/groups/${enc(id)}/consultations`).then(
        (page) => ({ items: page.items }),
        (error) => ({ error }),
      ),
    ]);
    return { group, consultations };
  });
  useScreenTitle(state.data && state.data.group.name);
  if (state.loading) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  const { group, consultations } = state.data;
  return html`<h1>${group.name}</h1>
    <p class="meta">
      ${t("members", { count: group.member_count })}
      ${group.my_role && html` · ${t("group.my_role", { role: t(`role.${group.my_role}`) })}`}
    </p>
    <${Paragraphs} text=${group.description} />
    <${Join} group=${group} onJoined=${reload} />
    <${GroupTools} group=${group} />
    <h2>${t("group.consultations")}</h2>
    ${atLeast(group.my_role, "author") &&
    html`<p><a class="button primary" href=${`/groups/${enc(group.id)}/consultations/new`}>${t("group.new_consultation")}</a></p>`}
    <${Alert} error=${consultations.error} />
    ${consultations.items &&
    (consultations.items.length === 0
      ? html`<p>${t("group.consultations_none")}</p>`
      : html`<ul class="cards">
          ${consultations.items.map(
            (c) => html`<li class="card">
              <a class="card-title" href=${`/consultations/${enc(c.id)}`}>${c.title}</a>
              <p class="meta"><${StatusBadge} status=${c.status} /> <${Dates} item=${c} /></p>
            </li>`,
          )}
        </ul>`)}`;
}

// Joining: an open association admits at once, another takes a request; invite-only says so.
function Join({ group, onJoined }) {
  const [asked, setAsked] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(null);
  if (!getToken() || group.my_role) return null;
  if (group.join_policy === "invite") return html`<p class="meta">${t("group.invite_only")}</p>`;
  const join = async () => {
    setBusy(true);
    setError(null);
    key.current = key.current || newIdempotencyKey();
    try {
      await api(`/groups/${enc(group.id)}/join`, { method: "POST", idempotencyKey: key.current });
      if (group.join_policy === "open") onJoined();
      else setAsked(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="join">
    <${Alert} error=${error} />
    <p role="status">${asked ? t("group.asked") : ""}</p>
    ${!asked &&
    html`<button type="button" class="primary" disabled=${busy} onClick=${join}>
      ${group.join_policy === "open" ? t("group.join") : t("group.ask")}
    </button>`}
  </div>`;
}

// The association's own screens, for those whose role opens them: its members (every
// member reads the list), the moderation queue for its moderators, and for its admins its
// settings, join requests, invitations, the consultations other associations invite it to
// share, and the audit log.
function GroupTools({ group }) {
  if (!group.my_role) return null;
  const base = `/groups/${enc(group.id)}`;
  const links = [["members", t("members.title")]];
  if (atLeast(group.my_role, "moderator")) links.push(["moderation", t("mod.link")]);
  if (group.my_role === "admin")
    links.push(
      ["settings", t("settings.title")],
      ["requests", t("requests.title")],
      ["invitations", t("invitations.title")],
      ["partner-invitations", t("partners.link")],
      ["audit", t("audit.title")],
    );
  return html`<nav class="group-tools" aria-label=${t("tools.label")}>
    <ul>${links.map(([path, label]) => html`<li><a href=${`${base}/${path}`}>${label}</a></li>`)}</ul>
  </nav>`;
}
