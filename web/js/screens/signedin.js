// The cloud's sign-in (oidc.js): /sign-in?return=PATH leaves for the identity provider,
// /signed-in is where it sends the reader back. Locally /sign-in goes to /dev/sign-in.
import { html, useState, useEffect } from "../lib.js";
import { t } from "../i18n.js";
import { useScreenTitle } from "../ui.js";
import { redirect } from "../router.js";
import { oidcConfig, safeReturn, setToken, signInUrl } from "../session.js";
import { startSignIn, finishSignIn, SignInError } from "../oidc.js";

export function SignIn() {
  const [failed, setFailed] = useState(false);
  useScreenTitle(t("signin.title"));
  useEffect(() => {
    const oidc = oidcConfig();
    const back = safeReturn(new URLSearchParams(location.search).get("return") || "/");
    if (!oidc) {
      location.replace(signInUrl(back));
      return;
    }
    startSignIn(oidc, back).catch(() => setFailed(true));
  }, []);
  return html`<h1>${t("signin.title")}</h1>
    ${failed
      ? html`<div class="alert" role="alert"><p>${t("signin.failed")}</p></div>
          <p><a href="/">${t("signedin.home")}</a></p>`
      : html`<p role="status">${t("signin.redirecting")}</p>`}`;
}

// The provider's answer being handled: one exchange per answer, even if the screen is drawn
// again meanwhile (a code is for one use: a second exchange would fail).
let arrival = null;

export function SignedIn() {
  const [failure, setFailure] = useState(null);
  const title = failure ? t("signedin.failed_title") : t("signedin.title");
  useScreenTitle(title);
  useEffect(() => {
    if (location.search) {
      const search = location.search;
      // The code and state leave the address at once: neither in the history nor shared.
      history.replaceState(null, "", "/signed-in");
      const oidc = oidcConfig();
      arrival = oidc ? finishSignIn(oidc, search) : Promise.reject(new SignInError("state"));
    } else if (!arrival) {
      arrival = Promise.reject(new SignInError("state")); // no answer here (a reload, Back)
    }
    arrival.then(
      ({ token, returnTo }) => {
        arrival = null;
        redirect(returnTo);
        setToken(token); // with the address changed: one redraw, of the page returned to
      },
      (error) => setFailure(error instanceof SignInError ? error : new SignInError("failed")),
    );
  }, []);
  if (!failure) {
    return html`<h1>${title}</h1>
      <p role="status">${t("signedin.checking")}</p>`;
  }
  const retry = `/sign-in${failure.returnTo === "/" ? "" : `?return=${encodeURIComponent(failure.returnTo)}`}`;
  return html`<h1>${title}</h1>
    <div class="alert" role="alert"><p>${t(`signedin.${failure.kind}`)}</p></div>
    <p><a href=${retry}>${t("signedin.retry")}</a></p>
    <p><a href="/">${t("signedin.home")}</a></p>`;
}
