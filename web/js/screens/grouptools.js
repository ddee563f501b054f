// What the association's own screens share (settings, members, join requests, invitations,
// audit log): the association and one of its lists, read at once (two requests); a way
// back to the association; the API's refusal when the reader may not see the list; more
// of a list on demand; and a second step before anything that cannot be undone.
import { html, useState, useRef, useEffect } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { useLoad, useScreenTitle, Alert, LoadingScreen, ErrorScreen } from "../ui.js";

// [state, reload, setData, more]: state.data is {group, items, next, error} (error: the
// list's refusal, the association being readable). more() reads the next page.
export function useGroupList(id, path) {
  const list = (cursor) => api(`/groups/${enc(id)}/${path}${cursor ? `?cursor=${enc(cursor)}` : ""}`);
  const [state, reload, setData] = useLoad(async () => {
    const [group, page] = await Promise.all([
      api(`/groups/${enc(id)}`),
      list(null).then(
        (found) => found,
        (error) => ({ items: [], next: null, error }),
      ),
    ]);
    return { group, items: page.items, next: page.next, error: page.error || null };
  });
  const more = async () => {
    const page = await list(state.data.next);
    setData((data) => ({ ...data, items: [...data.items, ...page.items], next: page.next }));
  };
  return [state, reload, setData, more];
}

// The frame of each tool screen: the way back to the association, then its one <h1>.
export function ToolScreen({ state, reload, title, children }) {
  const group = state.data && state.data.group;
  useScreenTitle(group ? `${title} · ${group.name}` : null);
  if (state.loading) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  return html`<p class="back"><a href=${`/groups/${enc(group.id)}`}>${t("tools.back", { group: group.name })}</a></p>
    <h1>${title}</h1>
    ${state.data.error ? html`<${Alert} error=${state.data.error} />` : children}`;
}

// "Voir plus": the next page of a list; a failure says so beside the button.
export function More({ next, more, label }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  if (!next) return null;
  const click = async () => {
    setBusy(true);
    setError(null);
    try {
      await more();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<${Alert} error=${error} />
    <p><button type="button" disabled=${busy} onClick=${click}>${label}</button></p>`;
}

// A button whose act cannot be undone: pressing it asks once more, in the page (not
// window.confirm), with the question read out and focus on the confirming button.
export function Confirm({ label, question, confirm, busy, onConfirm, kind = "danger-outline" }) {
  const [asking, setAsking] = useState(false);
  const confirming = useRef(null);
  const opener = useRef(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking && confirming.current) confirming.current.focus();
    else if (wasAsking.current && opener.current) opener.current.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking)
    return html`<button type="button" ref=${opener} class=${kind} onClick=${() => setAsking(true)}>${label}</button>`;
  return html`<div class="confirm" role="group" aria-label=${question}>
    <p>${question}</p>
    <button type="button" ref=${confirming} class="warning" disabled=${busy} onClick=${onConfirm}>${confirm}</button>
    <button type="button" onClick=${() => setAsking(false)}>${t("tools.cancel")}</button>
  </div>`;
}

// [Said, say]: a status line (read out as it changes). say(text, {focus: true}) also moves
// the focus there, for when what the reader acted on has left the page (a removed card).
export function useSaid() {
  const [text, setText] = useState("");
  const line = useRef(null);
  const say = (message, { focus = false } = {}) => {
    setText(message);
    if (focus) setTimeout(() => line.current && line.current.focus(), 0);
  };
  return [html`<p role="status" class="note done" tabindex="-1" ref=${line}>${text}</p>`, say];
}

// Someone as the API names them: their name, and their id when it says more.
export function Person({ name, id }) {
  return html`<span class="person">${name}${id && id !== name ? html` <span class="muted">(${id})</span>` : ""}</span>`;
}
