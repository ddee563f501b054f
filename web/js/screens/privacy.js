// "/me/delete": deleting one's account (DELETE /v1/me), after saying plainly what goes and
// what stays, and a box to tick. The API may answer 202 ("still erasing": a big account is
// erased in rounds): the screen asks again until 204, saying it is at work. The only admin
// of an association is told to hand over first (409 last_admin, the API's message).
// Once erased, the reader is signed out and "/me/deleted" says it is done.
import { html, useState, useRef, useEffect } from "../lib.js";
import { api, enc, ApiError } from "../api.js";
import { t } from "../i18n.js";
import { getToken, signInUrl, signOut } from "../session.js";
import { navigate } from "../router.js";
import { useScreenTitle, Alert } from "../ui.js";
import { describedBy } from "../forms.js";
import { ExportButtons } from "./me.js";

const ROUNDS = 20; // DELETE /v1/me answered 202 this many times: say so, offer to go on

// What happens, one line each, in the order people ask about it.
const CONSEQUENCES = [
  "privacy.goes_profile",
  "privacy.goes_groups",
  "privacy.goes_comments",
  "privacy.goes_reactions",
  "privacy.goes_open_ballots",
  "privacy.stays_closed_ballots",
  "privacy.stays_secret_ballots",
  "privacy.stays_authored",
  "privacy.stays_audit",
];

export function DeleteAccount() {
  const title = t("privacy.delete_title");
  useScreenTitle(title);
  const [sure, setSure] = useState(false);
  const [missing, setMissing] = useState(0); // times pressed without ticking the box
  const [busy, setBusy] = useState(false);
  const [rounds, setRounds] = useState(0);
  const [error, setError] = useState(null);
  const summary = useRef(null);
  useEffect(() => {
    if (missing && summary.current) summary.current.focus();
  }, [missing]);
  if (!getToken())
    return html`<h1>${title}</h1>
      <p>${t("me.signed_out")}</p>
      <p><a href=${signInUrl()}>${t("me.sign_in")}</a></p>`;

  const erase = async (event) => {
    event.preventDefault();
    if (busy) return;
    if (!sure) {
      setMissing((n) => n + 1); // the summary takes the focus again at each press
      return;
    }
    setBusy(true);
    setError(null);
    try {
      for (let round = 1; ; round += 1) {
        const answer = await api("/me", { method: "DELETE" }); // null: 204, all erased
        if (!answer || answer.status !== "erasing") break;
        setRounds(round);
        if (round >= ROUNDS) throw new ApiError(202, "still_erasing", t("privacy.still_erasing"));
      }
    } catch (e) {
      setError(e);
      setBusy(false);
      return;
    }
    signOut(); // the token no longer stands for anyone the Hub knows
    navigate("/me/deleted");
  };

  const lastAdmin = error && error.code === "last_admin";
  const unticked = missing > 0 && !sure;
  return html`<p class="back"><a href="/me">${t("privacy.back")}</a></p>
    <h1>${title}</h1>
    <p>${t("privacy.delete_lead")}</p>
    <ul class="consequences">
      ${CONSEQUENCES.map((key) => html`<li key=${key}>${t(key)}</li>`)}
    </ul>
    <p><strong>${t("privacy.cannot_undo")}</strong></p>
    <p>${t("privacy.export_first")}</p>
    <${ExportButtons} />
    <form class="form" noValidate onSubmit=${erase}>
      ${unticked &&
      html`<div class="alert" role="alert" tabindex="-1" ref=${summary}>
        <p><a href="#delete-sure">${t("privacy.tick_first")}</a></p>
      </div>`}
      ${lastAdmin ? html`<${SoleAdmin} error=${error} />` : html`<${Alert} error=${error} />`}
      <div class=${unticked ? "field field-invalid" : "field"}>
        ${unticked && html`<p class="field-error" id="delete-sure-error">${t("privacy.tick_first")}</p>`}
        <label class="choice" for="delete-sure">
          <input type="checkbox" id="delete-sure" checked=${sure}
            aria-describedby=${describedBy("delete-sure", { error: unticked })}
            onChange=${(e) => setSure(e.target.checked)} />
          ${t("privacy.confirm_box")}
        </label>
      </div>
      <p role="status" class="note">${busy ? (rounds > 0 ? t("privacy.erasing_long") : t("privacy.erasing")) : ""}</p>
      <button type="submit" class="warning" disabled=${busy}>${t("privacy.delete_submit")}</button>
    </form>`;
}

// 409 last_admin: the API's message, and each association where the reader is the only
// admin (a detail per association: its id, a sentence naming it) as a link to its members,
// where another admin is named, as an error summary links to what to fix.
function SoleAdmin({ error }) {
  const groups = (error.details || []).filter((d) => d.field && d.message);
  return html`<div class="alert" role="alert">
      <p>${error.message}</p>
      ${groups.length > 0 &&
      html`<ul>${groups.map((d) => html`<li key=${d.field}><a href=${`/groups/${enc(d.field)}/members`}>${d.message}</a></li>`)}</ul>`}
    </div>
    <p>${t("privacy.hand_over")}</p>
    ${groups.length === 0 && html`<p><a href="/me">${t("privacy.see_groups")}</a></p>`}`;
}

// After the deletion: signed out, and told what became of what they wrote.
export function AccountDeleted() {
  const signedIn = Boolean(getToken()); // an address typed by someone who still has an account
  const title = signedIn ? t("notfound.title") : t("privacy.deleted_title");
  useScreenTitle(title);
  if (signedIn)
    return html`<h1>${title}</h1>
      <p>${t("notfound.text")}</p>
      <p><a href="/me">${t("privacy.back")}</a></p>`;
  return html`<h1>${title}</h1>
    <div class="made">
      <p>${t("privacy.deleted_text")}</p>
    </div>
    <p>${t("privacy.deleted_after")}</p>
    <p><a href="/">${t("notfound.home")}</a></p>`;
}
