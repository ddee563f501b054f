// Issue 17's screens: "/me/notifications" (the reader's notifications, newest first, one
// sentence each, GET /v1/me/notifications), "/me/notifications/settings" (which of them also
// come by email, GET/PATCH /v1/me/preferences) and "/unsubscribe?token=..." (an email's
// unsubscribe link, no sign-in needed: GET then POST /v1/unsubscribe).
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t, formatDate } from "../i18n.js";
import { getToken, signInUrl } from "../session.js";
import { navigate } from "../router.js";
import { setUnread } from "../unread.js";
import { useLoad, useScreenTitle, Alert, LoadingScreen } from "../ui.js";
import { useSubmit } from "../forms.js";

const PAGE = 20;
const KINDS = [
  "consultation_opened",
  "closing_soon",
  "results",
  "reply",
  "comment_hidden",
  "comment_restored",
  "join_requested",
  "join_approved",
  "join_declined",
  "partner_invitation",
  "flags_waiting",
];
const DELIVERIES = ["immediately", "daily", "never"];
const SETTINGS_PATH = "/me/notifications/settings";

function SignedOut({ title, text }) {
  useScreenTitle(title);
  return html`<h1>${title}</h1>
    <p>${text}</p>
    <p><a href=${signInUrl()}>${t("notifs.sign_in")}</a></p>`;
}

// The page of the client a notification is about (as its email's link: chalicelib/mail).
export function notificationLink(n) {
  const group = n.group && `/groups/${enc(n.group.id)}`;
  const consultation = n.consultation && `/consultations/${enc(n.consultation.id)}`;
  const debate = n.debate && `/debates/${enc(n.debate.id)}`;
  switch (n.kind) {
    case "join_requested":
      return group && `${group}/requests`;
    case "flags_waiting":
      return group && `${group}/moderation`;
    case "partner_invitation":
      return group && `${group}/partner-invitations`;
    case "join_approved":
    case "join_declined":
      return group;
    case "reply":
    case "comment_hidden":
    case "comment_restored":
      return debate || consultation;
    default:
      return consultation || debate || group;
  }
}

// One sentence in the reader's language, from what the event named at the time.
export function notificationText(n) {
  const values = {
    group: (n.group && n.group.name) || t("notifs.some_group"),
    consultation: (n.consultation && n.consultation.title) || t("notifs.untitled"),
    debate: (n.debate && n.debate.title) || (n.consultation && n.consultation.title) || t("notifs.untitled"),
    actor: n.actor_name || t("notifs.someone"),
  };
  return t(KINDS.includes(n.kind) ? `notifs.text.${n.kind}` : "notifs.text.other", values);
}

export function Notifications() {
  const signedIn = Boolean(getToken());
  const [state, reload, setData] = useLoad(async () => {
    if (!signedIn) return null;
    const page = await api(`/me/notifications?limit=${PAGE}`);
    setUnread(page.unread);
    return page;
  });
  const [said, setSaid] = useState("");
  const [send, busy, error] = useSubmit();
  const [more, moreBusy, moreError] = useSubmit();
  const title = t("notifs.title");
  useScreenTitle(state.loading ? null : title);
  if (!signedIn) return html`<${SignedOut} title=${title} text=${t("notifs.signed_out")} />`;
  if (state.loading) return html`<${LoadingScreen} />`;
  if (state.error)
    return html`<h1>${title}</h1><${Alert} error=${state.error} />
      <p><button type="button" onClick=${reload}>${t("retry")}</button></p>`;
  const { items, next, unread } = state.data;
  const counted = (count) => {
    setUnread(count);
    setData((data) => ({ ...data, unread: count }));
  };
  const markAll = async () => {
    setSaid("");
    const answer = await send(() => api("/me/notifications/read", { method: "POST", body: { all: true } }));
    if (!answer) return;
    setData((data) => ({ ...data, items: data.items.map((n) => ({ ...n, read: true })) }));
    counted(answer.unread);
    setSaid(t("notifs.marked_all"));
  };
  const loadMore = async () => {
    const page = await more(() => api(`/me/notifications?limit=${PAGE}&cursor=${enc(next)}`));
    if (!page) return;
    setData((data) => ({ ...data, items: [...data.items, ...page.items], next: page.next, unread: page.unread }));
    setUnread(page.unread);
  };
  // Opening an unread one marks it read first (one POST), then goes there; a click that
  // opens another tab only sends the POST.
  const open = (n, href) => (event) => {
    if (n.read) return;
    setData((data) => ({ ...data, items: data.items.map((m) => (m.id === n.id ? { ...m, read: true } : m)) }));
    const marking = api("/me/notifications/read", { method: "POST", body: { ids: [n.id] } }).then(
      (answer) => setUnread(answer.unread),
      () => null,
    );
    const plain = event.button === 0 && !(event.metaKey || event.ctrlKey || event.shiftKey || event.altKey);
    if (!plain) return;
    event.preventDefault();
    marking.then(() => navigate(href));
  };
  return html`<h1>${title}</h1>
    <p>${t("notifs.intro")}</p>
    <p><a href=${SETTINGS_PATH}>${t("notifs.settings_link")}</a></p>
    <p role="status" class="note done">${said}</p>
    <${Alert} error=${error} />
    ${items.length === 0
      ? html`<p class="empty">${t("notifs.empty")}</p>`
      : html`<div class="notifs-bar">
            <p>${unread > 0 ? t("notifs.unread_count", { count: unread }) : t("notifs.all_read_now")}</p>
            ${unread > 0 &&
            html`<button type="button" disabled=${busy} onClick=${markAll}>${t("notifs.mark_all")}</button>`}
          </div>
          <ul class="notifs" aria-label=${t("notifs.list")}>
            ${items.map((n) => {
              const href = notificationLink(n);
              const text = notificationText(n);
              return html`<li key=${n.id} class=${n.read ? "notif" : "notif notif-unread"}>
                ${!n.read && html`<span class="badge badge-unread">${t("notifs.unread")}</span> `}
                ${href ? html`<a href=${href} onClick=${open(n, href)}>${text}</a>` : html`<span>${text}</span>`}
                ${n.reason && html`<span class="notif-reason">${t("notifs.reason", { reason: n.reason })}</span>`}
                <time class="meta" datetime=${n.at}>${formatDate(n.at)}</time>
              </li>`;
            })}
          </ul>`}
    <${Alert} error=${moreError} />
    ${next && html`<p><button type="button" disabled=${moreBusy} onClick=${loadMore}>${t("notifs.more")}</button></p>`}`;
}

// Which notifications also come by email: one radio group a kind, saved with PATCH (only
// the kinds changed). The choices made for one association (`groups`) are not edited
// here: a note says that some exist.
export function NotificationSettings() {
  const signedIn = Boolean(getToken());
  const [state, reload, setData] = useLoad(() => (signedIn ? api("/me/preferences") : Promise.resolve(null)));
  const title = t("prefs.title");
  useScreenTitle(state.loading ? null : title);
  if (!signedIn) return html`<${SignedOut} title=${title} text=${t("prefs.signed_out")} />`;
  if (state.loading) return html`<${LoadingScreen} />`;
  if (state.error)
    return html`<h1>${title}</h1><${Alert} error=${state.error} />
      <p><button type="button" onClick=${reload}>${t("retry")}</button></p>`;
  const prefs = state.data;
  const groups = Object.keys(prefs.groups || {}).length;
  return html`<h1>${title}</h1>
    <p class="back"><a href="/me/notifications">${t("prefs.back")}</a></p>
    <p>${t("prefs.intro")}</p>
    <${Address} email=${prefs.email} />
    ${groups > 0 && html`<p class="hint">${t("prefs.groups_note", { count: groups })}</p>`}
    <${KindsForm} saved=${prefs.kinds} onSaved=${(answer) => setData(answer)} />`;
}

function Address({ email }) {
  if (!email) return html`<p class="meta">${t("prefs.no_address")}</p>`;
  return html`<dl class="facts">
      <dt>${t("prefs.address")}</dt>
      <dd>${email.address}${email.verified ? ` (${t("prefs.verified")})` : ""}</dd>
    </dl>
    ${!email.verified && html`<p class="meta">${t("prefs.unverified")}</p>`}`;
}

function KindsForm({ saved, onSaved }) {
  const [choices, setChoices] = useState(saved);
  const [said, setSaid] = useState("");
  const [send, busy, error] = useSubmit();
  const kinds = [...KINDS.filter((k) => k in saved), ...Object.keys(saved).filter((k) => !KINDS.includes(k))];
  const submit = async (event) => {
    event.preventDefault();
    setSaid("");
    const changed = Object.fromEntries(kinds.filter((k) => choices[k] !== saved[k]).map((k) => [k, choices[k]]));
    if (Object.keys(changed).length === 0) {
      setSaid(t("prefs.unchanged"));
      return;
    }
    const answer = await send(() => api("/me/preferences", { method: "PATCH", body: { kinds: changed } }));
    if (answer) {
      setChoices(answer.kinds);
      onSaved(answer);
      setSaid(t("prefs.saved"));
    }
  };
  return html`<form class="form prefs" noValidate onSubmit=${submit} aria-labelledby="prefs-choices">
    <h2 id="prefs-choices">${t("prefs.choices")}</h2>
    <${Alert} error=${error} />
    ${kinds.map(
      (kind) => html`<fieldset key=${kind}>
        <legend>${t(`notifs.kind.${kind}`)}</legend>
        <div class="pref-options">
          ${DELIVERIES.map(
            (d) => html`<label class="choice" for=${`pref-${kind}-${d}`}>
              <input type="radio" id=${`pref-${kind}-${d}`} name=${`pref-${kind}`} value=${d} checked=${choices[kind] === d}
                onChange=${() => {
                  setSaid("");
                  setChoices((c) => ({ ...c, [kind]: d }));
                }} />
              ${t(`prefs.delivery.${d}`)}
            </label>`,
          )}
        </div>
      </fieldset>`,
    )}
    <p role="status" class="note done">${said}</p>
    <button type="submit" class="primary" disabled=${busy}>${t("prefs.submit")}</button>
  </form>`;
}

// An email's unsubscribe link: what it turns off, and a button that does it. The token is
// the sign-in here; a signed-in reader's own token is sent along and ignored.
export function Unsubscribe() {
  const token = new URLSearchParams(location.search).get("token");
  const [state, , setData] = useLoad(() =>
    token ? api(`/unsubscribe?token=${enc(token)}`) : Promise.resolve(null),
  );
  const [done, setDone] = useState(false);
  const [send, busy, error] = useSubmit();
  const title = t("unsub.title");
  useScreenTitle(state.loading ? null : title);
  if (state.loading) return html`<${LoadingScreen} />`;
  const settings = html`<p>
    <a href=${SETTINGS_PATH}>${t("unsub.settings")}</a>
    ${!getToken() && html` <span class="meta">${t("unsub.settings_hint")}</span>`}
  </p>`;
  if (!token || state.error)
    return html`<h1>${title}</h1>
      ${state.error ? html`<${Alert} error=${state.error} />` : html`<div class="alert" role="alert"><p>${t("unsub.no_token")}</p></div>`}
      ${settings}`;
  const link = state.data;
  const about = link.kind === "digest" ? "" : t(`notifs.about.${link.kind}`);
  const what =
    link.kind === "digest"
      ? t("unsub.what_digest")
      : link.group
        ? t("unsub.what", { about, group: link.group.name || t("notifs.some_group") })
        : t("unsub.what_all", { about });
  const unsubscribe = async () => {
    const answer = await send(() => api(`/unsubscribe?token=${enc(token)}`, { method: "POST", body: {} }));
    if (answer) {
      setData(answer);
      setDone(true);
    }
  };
  return html`<h1>${title}</h1>
    <p class="unsub-what">${what}</p>
    <${Alert} error=${error} />
    <p role="status" class="note done">${done ? t("unsub.done") : ""}</p>
    ${!done && link.delivery === "never" && html`<p>${t("unsub.already")}</p>`}
    ${!done &&
    link.delivery !== "never" &&
    html`<p><button type="button" class="primary" disabled=${busy} onClick=${unsubscribe}>${t("unsub.submit")}</button></p>`}
    ${settings}`;
}
