// "/groups/{id}": the association, its description, members and consultations.
import { html, useState, useRef } from "../lib.js";
import { api, enc, newIdempotencyKey } from "../api.js";
import { getToken } from "../session.js";
import { t } from "../i18n.js";
import { atLeast } from "../forms.js";
import { useLoad, useScreenTitle, Alert, Paragraphs, LoadingScreen, ErrorScreen, StatusBadge, Dates } from "../ui.js";

export function Group({ id }) {
  const [state, reload] = useLoad(async () => {
    const reading = api(`/groups/${enc(id)}`);
    const [group, consultations, pending] = await Promise.all([
      reading,
      api(`/groups/${enc(id)}/consultations`).then(
        (page) => ({ items: page.items }),
        (error) => ({ error }),
      ),
      reading.then((g) => (g.my_role === "admin" ? readPending(id) : null), () => null),
    ]);
    return { group, consultations, pending };
  });
  useScreenTitle(state.data && state.data.group.name);
  if (state.loading) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  const { group, consultations, pending } = state.data;
  return html`<h1>${group.name}</h1>
    <p class="meta">
      ${t("members", { count: group.member_count })}
      ${group.my_role && html` · ${t("group.my_role", { role: t(`role.${group.my_role}`) })}`}
    </p>
    <${Paragraphs} text=${group.description} />
    <${Join} group=${group} onJoined=${reload} />
    <${Follow} group=${group} />
    <${Pending} group=${group} pending=${pending} />
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

// What waits for the admins: the first page of the join requests and of the partnerships
// proposed (two more requests, for admins only, once the group says who reads it). A page
// that cannot be read is left out: its own screen says why.
const PEEK = 10;

async function readPending(id) {
  const peek = (path) =>
    api(`/groups/${enc(id)}/${path}?limit=${PEEK}`).then(
      (page) => ({ count: page.items.length, more: Boolean(page.next) }),
      () => null,
    );
  const [requests, partners] = await Promise.all([peek("join-requests"), peek("partner-invitations")]);
  return { requests, partners };
}

function pendingText(prefix, found) {
  if (!found || (found.count === 0 && !found.more)) return null;
  if (found.count === 0) return t(`${prefix}_some`);
  return t(found.more ? `${prefix}_more` : prefix, { count: found.count });
}

function Pending({ group, pending }) {
  if (!pending) return null;
  const base = `/groups/${enc(group.id)}`;
  const lines = [
    ["requests", pendingText("group.pending_requests", pending.requests)],
    ["partner-invitations", pendingText("group.pending_partners", pending.partners)],
  ].filter(([, text]) => text);
  if (lines.length === 0) return null;
  return html`<section class="pending" aria-labelledby="pending-title">
    <h2 id="pending-title">${t("group.pending_title")}</h2>
    <ul>${lines.map(([path, text]) => html`<li key=${path}><a href=${`${base}/${path}`}>${text}</a></li>`)}</ul>
  </section>`;
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

// Following (issue 17): any signed-in reader may follow an association, member or not, to
// hear of its public consultations and their results. The association's answer says
// whether the reader follows it (`following`).
function Follow({ group }) {
  const [following, setFollowing] = useState(group.following === true);
  const [said, setSaid] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  if (!getToken()) return null;
  const toggle = async () => {
    setBusy(true);
    setError(null);
    setSaid("");
    const path = `/groups/${enc(group.id)}/follow`;
    try {
      const now = following ? (await api(path, { method: "DELETE" }), false) : (await api(path, { method: "PUT" })).following;
      setFollowing(now);
      setSaid(t(now ? "follow.following" : "follow.stopped"));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="follow">
    <${Alert} error=${error} />
    <p class="hint" id="follow-hint">${t("follow.hint")}</p>
    <p><button type="button" aria-describedby="follow-hint" disabled=${busy} onClick=${toggle}>
      ${following ? t("follow.unfollow") : t("follow.follow")}
    </button></p>
    <p role="status" class="note done">${said}</p>
  </div>`;
}
