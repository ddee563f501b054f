// "/invitations/{code}": where an invitation leads, and accepting it (signed in only).
import { html, useState, useRef } from "../lib.js";
import { api, enc, newIdempotencyKey } from "../api.js";
import { t, formatDate } from "../i18n.js";
import { getToken, signInUrl } from "../session.js";
import { useLoad, useScreenTitle, Alert, LoadingScreen, ErrorScreen } from "../ui.js";

export function Invitation({ id: code }) {
  const signedIn = Boolean(getToken());
  const [state, reload] = useLoad(() => (signedIn ? api(`/invitations/${enc(code)}`) : Promise.resolve(null)));
  const [joined, setJoined] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(null);
  useScreenTitle(state.loading ? null : t("invitation.title"));
  if (!signedIn)
    return html`<h1>${t("invitation.title")}</h1>
      <p><a href=${signInUrl()}>${t("invitation.sign_in")}</a></p>`;
  if (state.loading) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  const invitation = state.data;

  const accept = async () => {
    setBusy(true);
    setError(null);
    key.current = key.current || newIdempotencyKey();
    try {
      setJoined(await api(`/invitations/${enc(code)}/accept`, { method: "POST", idempotencyKey: key.current }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const group = html`<a href=${`/groups/${enc(invitation.group_id)}`}>${invitation.group_name}</a>`;
  return html`<h1>${t("invitation.title")}</h1>
    <p>${t("invitation.to")} <strong>${invitation.group_name}</strong></p>
    <p class="meta">${t("invitation.role", { role: t(`role.${invitation.role}`) })}
      ${invitation.expires_at && html` · ${t("invitation.expires", { date: formatDate(invitation.expires_at) })}`}</p>
    <${Alert} error=${error} />
    <p role="status">${joined ? t("invitation.joined", { role: t(`role.${joined.role}`) }) : ""}</p>
    ${joined
      ? html`<p>${group}</p>`
      : html`<p><button type="button" class="primary" disabled=${busy} onClick=${accept}>${t("invitation.accept")}</button></p>`}`;
}
