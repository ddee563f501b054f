// The header's "Notifications" link and how many are unread (issue 17). The count is read
// once per navigation (GET /v1/me/notifications?limit=1, one small request) except on the
// notifications screen, which reads the list itself and reports the count with setUnread,
// as it does when the reader marks some read.
import { html, useState, useEffect } from "./lib.js";
import { api } from "./api.js";
import { t, language } from "./i18n.js";

const listeners = new Set();

export function setUnread(count) {
  listeners.forEach((listener) => listener(count));
}

export const NOTIFICATIONS_PATH = "/me/notifications";

export function NotificationsLink({ path }) {
  const [unread, setCount] = useState(0);
  useEffect(() => {
    listeners.add(setCount);
    return () => listeners.delete(setCount);
  }, []);
  useEffect(() => {
    if (path === NOTIFICATIONS_PATH) return undefined; // the screen reports it
    let current = true;
    api("/me/notifications?limit=1").then(
      (page) => current && setCount(page.unread),
      () => null, // the link stays; the count is only a hint
    );
    return () => {
      current = false;
    };
  }, [path]);
  // The name says the count in words ("Notifications, 3 non lues"); the badge shows it.
  const name = unread > 0 ? t("nav.notifications") + t("nav.notifications_unread", { count: unread }) : undefined;
  return html`<a href=${NOTIFICATIONS_PATH} class="notifications-link" aria-label=${name}
    aria-current=${path === NOTIFICATIONS_PATH ? "page" : undefined}>
    ${t("nav.notifications")}${unread > 0 ? " " : ""}${unread > 0 && html`<span class="unread-count">${new Intl.NumberFormat(language()).format(unread)}</span>`}
  </a>`;
}
