// The Hub's web client: one page, plain ES modules, no build step.
// Loads the reader's language and /config.json, then renders the screen for the address.
import { html, render, useState, useEffect } from "./js/lib.js";
import { t, language, preferredLanguage, loadLanguage } from "./js/i18n.js";
import { getToken, signOut, onSessionChange, loadConfig, signInUrl } from "./js/session.js";
import { match, onRoute, startRouter } from "./js/router.js";
import { Home } from "./js/screens/home.js";
import { Group } from "./js/screens/group.js";
import { Consultation } from "./js/screens/consultation.js";
import { Debate } from "./js/screens/debate.js";
import { Me } from "./js/screens/me.js";
import { Invitation } from "./js/screens/invitation.js";
import { NewGroup } from "./js/screens/newgroup.js";
import { NewConsultation } from "./js/screens/newconsultation.js";
import { NotFound } from "./js/screens/notfound.js";
import { SignIn, SignedIn } from "./js/screens/signedin.js";

const SCREENS = { home: Home, group: Group, consultation: Consultation, debate: Debate, me: Me, invitation: Invitation, notfound: NotFound, newgroup: NewGroup, newconsultation: NewConsultation };
Object.assign(SCREENS, { signin: SignIn, signedin: SignedIn }); // the cloud's sign-in (oidc.js)

function Header({ signedIn, onLanguage }) {
  const other = t("lang.switch_code");
  return html`<header class="site-header">
    <div class="topbar">
      <span class="brand">${t("app.name")}</span>
      <button type="button" class="lang" lang=${other} onClick=${() => onLanguage(other)}>${t("lang.switch")}</button>
    </div>
    <nav aria-label=${t("nav.label")}>
      <ul>
        <li><a href="/">${t("nav.home")}</a></li>
        ${signedIn
          ? html`<li><a href="/me">${t("nav.me")}</a></li>
              <li><button type="button" class="link" onClick=${signOut}>${t("nav.sign_out")}</button></li>`
          : html`<li><a href=${signInUrl()}>${t("nav.sign_in")}</a></li>`}
      </ul>
    </nav>
  </header>`;
}

function App() {
  const [path, setPath] = useState(location.pathname);
  const [token, setToken] = useState(getToken());
  const [lang, setLang] = useState(language());
  useEffect(() => onRoute(setPath), []);
  useEffect(() => onSessionChange(() => setToken(getToken())), []);
  const switchLanguage = (next) => loadLanguage(next, { remember: true }).then(() => setLang(next));
  const route = match(path);
  const Screen = SCREENS[route.name];
  return html`<a class="skip" href="#main">${t("skip")}</a>
    <${Header} signedIn=${Boolean(token)} onLanguage=${switchLanguage} />
    <main id="main" tabindex="-1">
      <${Screen} key=${`${path}|${token}|${lang}`} id=${route.id} />
    </main>`;
}

async function start() {
  await Promise.all([loadLanguage(preferredLanguage()).catch(() => loadLanguage("fr")), loadConfig()]);
  startRouter();
  const root = document.getElementById("app");
  root.textContent = "";
  render(html`<${App} />`, root);
}

start();
