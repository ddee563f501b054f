// "/invitations/{code}": where an invitation leads, and accepting it, which leads into the
// association. Reading it needs a signed-in reader (the API's rule): signed out, the
// screen offers to sign in and come back. An invitation that no longer admits anyone
// (expired, used up, revoked, unknown) says so in the API's words, with what to do next.
import { html, useState, useRef } from "../lib.js";
import { api, enc, newIdempotencyKey } from "../api.js";
import { t, formatDate } from "../i18n.js";
import { getToken, signInUrl } from "../session.js";
import { navigate } from "../router.js";
import { useLoad, useScreenTitle, Alert, LoadingScreen, ErrorScreen } from "../ui.js";

// The refusals that say the code itself will not do: no retry, ask for another one.
const SPENT = ["invitation_expired", "invitation_revoked", "invitation_not_found"];

export function Invitation({ id: code }) {
  const signedIn = Boolean(getToken());
  const [state, reload] = useLoad(() => (signedIn ? api(`/invitations/${enc(code)}`) : Promise.resolve(null)));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(null);
  useScreenTitle(state.loading ? null : t("invitation.title"));
  if (!signedIn)
    return html`<h1>${t("invitation.title")}</h1>
      <p>${t("invitation.signed_out")}</p>
      <p><a class="button primary" href=${signInUrl()}>${t("invitation.sign_in")}</a></p>`;
  if (state.loading) return html`<${LoadingScreen} />`;
  if (state.error && SPENT.includes(state.error.code))
    return html`<h1>${t("invitation.title")}</h1>
      <${Alert} error=${state.error} />
      <p>${t("invitation.ask_again")}</p>
      <p><a href="/me">${t("invitation.my_groups")}</a></p>`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  const invitation = state.data;

  const accept = async () => {
    setBusy(true);
    setError(null);
    key.current = key.current || newIdempotencyKey();
    try {
      const member = await api(`/invitations/${enc(code)}/accept`, { method: "POST", idempotencyKey: key.current });
      navigate(`/groups/${enc(member.group_id)}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return html`<h1>${t("invitation.title")}</h1>
    <p>${t("invitation.to")} <strong>${invitation.group_name}</strong></p>
    <p class="meta">${t("invitation.role", { role: t(`role.${invitation.role}`) })}
      ${invitation.expires_at && html` · ${t("invitation.expires", { date: formatDate(invitation.expires_at) })}`}</p>
    <${Alert} error=${error} />
    <p><button type="button" class="primary" disabled=${busy} onClick=${accept}>${t("invitation.accept")}</button></p>`;
}
