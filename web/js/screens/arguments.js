// The arguments of a debate: the list (newest first, page by page) and, for whoever may take
// part, the form to publish one. Shown by the debate screen under its ballot and results.
import { html, useState, useRef } from "../lib.js";
import { api, enc, newIdempotencyKey } from "../api.js";
import { t, formatDate } from "../i18n.js";
import { getToken, signInUrl } from "../session.js";
import { Alert, Paragraphs } from "../ui.js";

export async function loadComments(debateId, cursor) {
  const query = cursor ? `&cursor=${enc(cursor)}` : "";
  return api(`/debates/${enc(debateId)}/comments?sort=new${query}`);
}

const STANCES = ["pro", "con", "neutral"];

function Comment({ comment }) {
  if (comment.deleted) return html`<li class="comment muted">${t("args.deleted")}</li>`;
  return html`<li class=${`comment stance-${comment.stance}`}>
    <p class="meta">
      <strong>${comment.author ? comment.author.name : ""}</strong>
      ${" · "}<span class="stance">${t(`args.${comment.stance}`)}</span>
      ${" · "}<time datetime=${comment.created_at}>${formatDate(comment.created_at)}</time>
    </p>
    ${comment.hidden && html`<p class="muted">${t("args.hidden")}</p>`}
    <${Paragraphs} text=${comment.body} className="comment-body" />
    ${comment.replies > 0 && html`<p class="meta">${t("args.replies", { count: comment.replies })}</p>`}
  </li>`;
}

export function Arguments({ debate, initial }) {
  const [items, setItems] = useState(initial.items);
  const [next, setNext] = useState(initial.next);
  const [listError, setListError] = useState(initial.error || null);
  const [body, setBody] = useState("");
  const [stance, setStance] = useState("neutral");
  const [error, setError] = useState(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const key = useRef(null); // kept for the retries of one argument, new for the next

  const signedIn = Boolean(getToken());
  const reason = debate.can_vote && debate.can_vote.reason;
  const mayArgue = signedIn && debate.status === "open" && !["not_eligible", "blocked", "unauthenticated"].includes(reason);

  const edit = (setter) => (event) => {
    key.current = null;
    setter(event.currentTarget.value);
  };

  const publish = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNote("");
    key.current = key.current || newIdempotencyKey();
    try {
      const comment = await api(`/debates/${enc(debate.id)}/comments`, {
        method: "POST",
        body: { body, stance },
        idempotencyKey: key.current,
      });
      key.current = null;
      setItems((list) => [comment, ...list.filter((c) => c.id !== comment.id)]);
      setBody("");
      setNote(t("args.published"));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const more = () =>
    loadComments(debate.id, next).then(
      (page) => {
        setItems((list) => [...list, ...page.items]);
        setNext(page.next);
      },
      setListError,
    );

  return html`<section aria-labelledby="args-title">
    <h2 id="args-title">${t("args.title")}</h2>
    ${mayArgue &&
    html`<form class="argue" onSubmit=${publish}>
      <${Alert} error=${error} />
      <label for="arg-body">${t("args.body")}</label>
      <textarea id="arg-body" rows="4" required maxlength="5000" value=${body} onInput=${edit(setBody)}></textarea>
      <label for="arg-stance">${t("args.stance")}</label>
      <select id="arg-stance" value=${stance} onChange=${edit(setStance)}>
        ${STANCES.map((s) => html`<option value=${s}>${t(`args.${s}`)}</option>`)}
      </select>
      <button type="submit" class="primary" disabled=${busy}>${t("args.submit")}</button>
    </form>`}
    <p class="note" aria-live="polite">${note}</p>
    ${!signedIn && debate.status === "open" && html`<p><a href=${signInUrl()}>${t("args.sign_in")}</a></p>`}
    <${Alert} error=${listError} />
    ${items.length === 0 ? html`<p>${t("args.none")}</p>` : html`<ul class="comments">${items.map((c) => html`<${Comment} key=${c.id} comment=${c} />`)}</ul>`}
    ${next && html`<p><button type="button" class="secondary" onClick=${more}>${t("args.more")}</button></p>`}
  </section>`;
}
