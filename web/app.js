// The Hub's web client: one page, plain ES modules, no build step.
// Loads the reader's language, /config.json and the address's screen, then renders it.
import { html, render, useState, useEffect } from "./js/lib.js";
import { t, language, preferredLanguage, loadLanguage } from "./js/i18n.js";
import { getToken, signOut, onSessionChange, loadConfig, signInUrl } from "./js/session.js";
import { match, onRoute, startRouter } from "./js/router.js";
import { LoadingScreen, ErrorScreen } from "./js/ui.js";
import { ApiError } from "./js/api.js";
import { NotificationsLink } from "./js/unread.js";

// Each screen is a module of its own, fetched the first time it is shown: the first screen
// loads only what it needs. [module under js/screens/, the component it exports]
const SCREENS = {
  home: ["home", "Home"],
  group: ["group", "Group"],
  consultation: ["consultation", "Consultation"],
  debate: ["debate", "Debate"],
  me: ["me", "Me"],
  invitation: ["invitation", "Invitation"],
  notfound: ["notfound", "NotFound"],
  newgroup: ["newgroup", "NewGroup"],
  newconsultation: ["newconsultation", "NewConsultation"],
  moderation: ["moderation", "Moderation"],
  groupsettings: ["groupsettings", "GroupSettings"],
  members: ["members", "Members"],
  joinrequests: ["members", "JoinRequests"],
  invitations: ["invitations", "Invitations"],
  audit: ["audit", "Audit"],
  editconsultation: ["editconsultation", "EditConsultation"],
  editdebate: ["editdebate", "EditDebate"],
  access: ["access", "Access"],
  partnerinvitations: ["partners", "PartnerInvitations"],
  notifications: ["notifications", "Notifications"],
  notificationsettings: ["notifications", "NotificationSettings"],
  unsubscribe: ["notifications", "Unsubscribe"],
  signin: ["signedin", "SignIn"], // the cloud's sign-in (oidc.js)
  signedin: ["signedin", "SignedIn"],
  deleteaccount: ["privacy", "DeleteAccount"], // issue 18: erasure
  accountdeleted: ["privacy", "AccountDeleted"],
};

const loaded = new Map(); // screen name -> its component, once its module has come

function loadScreen(name) {
  if (loaded.has(name)) return Promise.resolve(loaded.get(name));
  const [file, component] = SCREENS[name];
  return import(`./js/screens/${file}.js`).then((module) => {
    loaded.set(name, module[component]);
    return module[component];
  });
}

// The screen for `name` once its module is here; a module that cannot come (offline) says
// so with a retry, as a refused request does.
function useScreen(name) {
  const [state, setState] = useState({ name: null, error: null });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    loadScreen(name).then(
      () => current && setState({ name, error: null }),
      (error) => current && setState({ name, error }),
    );
    return () => {
      current = false;
    };
  }, [name, attempt]);
  if (loaded.has(name)) return { Screen: loaded.get(name) };
  if (state.name === name && state.error) return { error: state.error, retry: () => setAttempt((n) => n + 1) };
  return {};
}

function Header({ signedIn, onLanguage, path }) {
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
          ? html`<li><${NotificationsLink} path=${path} /></li>
              <li><a href="/me">${t("nav.me")}</a></li>
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
  const { Screen, error, retry } = useScreen(route.name);
  let shown = html`<${LoadingScreen} />`;
  if (Screen) shown = html`<${Screen} key=${`${path}|${token}|${lang}`} id=${route.id} />`;
  else if (error) shown = html`<${ErrorScreen} error=${new ApiError(0, "network", t("error.network"))} retry=${retry} />`;
  return html`<a class="skip" href="#main">${t("skip")}</a>
    <${Header} signedIn=${Boolean(token)} onLanguage=${switchLanguage} path=${path} />
    <main id="main" tabindex="-1">${shown}</main>`;
}

async function start() {
  await Promise.all([
    loadLanguage(preferredLanguage()).catch(() => loadLanguage("fr")),
    loadConfig(),
    loadScreen(match(location.pathname).name).catch(() => null), // fetched alongside, not after
  ]);
  startRouter();
  const root = document.getElementById("app");
  root.textContent = "";
  render(html`<${App} />`, root);
}

start();
