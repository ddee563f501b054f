// History API routing: links to the app's own paths are followed without reloading the
// page, back and forward work, and each new screen moves focus to its <h1> once shown.
const ROUTES = [
  [/^\/$/, "home"],
  [/^\/groups\/new$/, "newgroup"],
  [/^\/groups\/([^/]+)\/consultations\/new$/, "newconsultation"],
  [/^\/groups\/([^/]+)\/moderation$/, "moderation"],
  [/^\/groups\/([^/]+)$/, "group"],
  [/^\/groups\/([^/]+)\/settings$/, "groupsettings"],
  [/^\/groups\/([^/]+)\/members$/, "members"],
  [/^\/groups\/([^/]+)\/requests$/, "joinrequests"],
  [/^\/groups\/([^/]+)\/invitations$/, "invitations"],
  [/^\/groups\/([^/]+)\/audit$/, "audit"],
  [/^\/consultations\/([^/]+)$/, "consultation"],
  [/^\/debates\/([^/]+)$/, "debate"],
  [/^\/invitations\/([^/]+)$/, "invitation"],
  [/^\/me$/, "me"],
  [/^\/consultations\/([^/]+)\/edit$/, "editconsultation"],
  [/^\/consultations\/([^/]+)\/access$/, "access"],
  [/^\/debates\/([^/]+)\/edit$/, "editdebate"],
  [/^\/groups\/([^/]+)\/partner-invitations$/, "partnerinvitations"],
  [/^\/sign-in$/, "signin"],
  [/^\/signed-in$/, "signedin"],
  [/^\/me\/notifications$/, "notifications"],
  [/^\/me\/notifications\/settings$/, "notificationsettings"],
  [/^\/unsubscribe$/, "unsubscribe"],
  [/^\/me\/delete$/, "deleteaccount"],
  [/^\/me\/deleted$/, "accountdeleted"],
];

export function match(pathname) {
  for (const [pattern, name] of ROUTES) {
    const found = pattern.exec(pathname);
    if (found) {
      try {
        return { name, id: found[1] === undefined ? null : decodeURIComponent(found[1]) };
      } catch {
        return { name: "notfound", id: null };
      }
    }
  }
  return { name: "notfound", id: null };
}

const listeners = new Set();
let focusPending = false;
let shownPath = location.pathname;

function changed() {
  if (location.pathname === shownPath) return; // a fragment (#main): same screen
  shownPath = location.pathname;
  focusPending = true;
  listeners.forEach((listener) => listener(location.pathname));
}

export function onRoute(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function navigate(url) {
  history.pushState(null, "", url);
  changed();
  window.scrollTo(0, 0);
}

// Goes to `url` in place of the current entry (the sign-in's return: no way back to it).
export function redirect(url) {
  history.replaceState(null, "", url);
  changed();
  window.scrollTo(0, 0);
}

// Paths the server answers itself: the API and the local sign-in pages.
const SERVER_PATHS = /^\/(v1|dev)(\/|$)/;

export function startRouter() {
  window.addEventListener("popstate", changed);
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download")) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || SERVER_PATHS.test(url.pathname)) return;
    if (url.pathname === location.pathname && url.hash) return; // in-page link
    event.preventDefault();
    if (url.pathname + url.search !== location.pathname + location.search) {
      navigate(url.pathname + url.search + url.hash);
    }
  });
}

// Called by a screen once its heading shows its real title.
export function screenReady(title) {
  document.title = `${title} · Hub`;
  if (!focusPending) return;
  focusPending = false;
  const heading = document.querySelector("main h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}
