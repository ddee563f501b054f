// Pieces every screen uses. Text from the API always goes in as text (a template's
// ${value} is a text node in Preact), never as HTML.
import { html, useState, useEffect, useCallback } from "./lib.js";
import { ApiError } from "./api.js";
import { t, formatDate } from "./i18n.js";
import { screenReady } from "./router.js";
import { getToken, signInUrl } from "./session.js";

// A refusal or failure, with the API's message (role="alert" is read out at once). A form
// passes `fields` ({api field: [input id, label]}): each detail then names its field and
// links to its input, as an error summary does.
export function Alert({ error, fields = {} }) {
  if (!error) return null;
  const message = error instanceof ApiError ? error.message : t("error.unexpected");
  const details = (error.details || []).filter((d) => d.message).map((d) => {
    const known = fields[d.field];
    return known ? html`<a href=${`#${known[0]}`}>${t("error.field", { field: known[1], message: d.message })}</a>` : d.message;
  });
  return html`<div class="alert" role="alert">
    <p>${message}</p>
    ${details.length > 0 && html`<ul>${details.map((d) => html`<li>${d}</li>`)}</ul>`}
    ${error.status === 401 && html`<p><a href=${signInUrl()}>${t("error.sign_in_again")}</a></p>`}
  </div>`;
}

// Text written by people (descriptions, bodies, arguments): Markdown's common part.
export { Markdown as Paragraphs } from "./text.js";

// Loads a screen's data once: [{data, error, loading}, reload, setData].
export function useLoad(loader) {
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const load = useCallback(() => {
    setState((s) => ({ ...s, loading: true, error: null }));
    loader().then(
      (data) => setState({ loading: false, data, error: null }),
      (error) => setState({ loading: false, data: null, error }),
    );
  }, []);
  useEffect(load, []);
  const setData = (update) =>
    setState((s) => ({ ...s, data: typeof update === "function" ? update(s.data) : update }));
  return [state, load, setData];
}

// Tells the router the screen shows its title (focus, document.title).
export function useScreenTitle(title) {
  useEffect(() => {
    if (title) screenReady(title);
  }, [title]);
}

export function LoadingScreen() {
  return html`<h1 class="loading">${t("loading")}</h1>`;
}

export function ErrorScreen({ error, retry }) {
  const notFound = error instanceof ApiError && error.status === 404;
  const title = notFound ? t("notfound.title") : t("error.title");
  useScreenTitle(title);
  return html`<h1>${title}</h1>
    <${Alert} error=${error} />
    ${!notFound && html`<p><button type="button" onClick=${retry}>${t("retry")}</button></p>`}
    ${notFound && !getToken() && html`<p><a href=${signInUrl()}>${t("error.members_only")}</a></p>`}
    <p><a href="/">${t("notfound.home")}</a></p>`;
}

// `kind` "debate" words the status for a debate (masculine in French); a consultation's
// otherwise. The badge comes first and Dates follows it: "Clôturée" "le 2 décembre…".
export function StatusBadge({ status, kind }) {
  return html`<span class=${`badge badge-${status}`}>${t(kind ? `status.${kind}.${status}` : `status.${status}`)}</span>`;
}

// Closed early: a consultation says so by `closed_at`; a debate (which has no `closed_at`)
// by a `closes_at` earlier than its `scheduled_closes_at`.
function closedEarly(item) {
  if (!item.scheduled_closes_at || !item.closes_at) return false;
  return Boolean(item.closed_at) || Date.parse(item.closes_at) < Date.parse(item.scheduled_closes_at);
}

export function Dates({ item }) {
  const lines = [];
  if (item.status === "scheduled" && item.opens_at) lines.push(t("dates.opens", { date: formatDate(item.opens_at) }));
  if (item.status === "closed")
    lines.push(
      closedEarly(item)
        ? t("dates.closed_early", { date: formatDate(item.closes_at), scheduled: formatDate(item.scheduled_closes_at) })
        : t("dates.closed", { date: formatDate(item.closes_at) }),
    );
  else if (item.closes_at) lines.push(t("dates.closes", { date: formatDate(item.closes_at) }));
  return html`<span class="dates">${lines.join(" · ")}</span>`;
}
