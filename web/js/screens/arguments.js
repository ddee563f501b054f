// The arguments of a debate: the list (newest first, page by page), each with its replies,
// reactions, flags, its author's edit and delete and its moderators' hide and restore; and,
// for whoever may take part, the form to publish one. Shown by the debate screen.
// Nothing is lost: a publication that fails keeps its text, says so, and its retry sends the
// same Idempotency-Key, so the API answers the first result instead of making two comments.
import { html, useState, useRef, useEffect } from "../lib.js";
import { api, enc } from "../api.js";
import { t, formatDate } from "../i18n.js";
import { getToken, signInUrl, myId } from "../session.js";
import { useSubmit } from "../forms.js";
import { Alert, Paragraphs } from "../ui.js";
import { HideControls, FlagSummary, hiddenText, authorName } from "./moderation.js";

export async function loadComments(debateId, cursor) {
  const query = cursor ? `&cursor=${enc(cursor)}` : "";
  return api(`/debates/${enc(debateId)}/comments?sort=new${query}`);
}

const STANCES = ["pro", "con", "neutral"];
const FLAG_REASONS = ["spam", "offensive", "off_topic", "personal_data"];

// A failure worth retrying as it is (the text stays; the same key goes again).
function retryable(error) {
  return error && (error.status === 0 || error.status >= 500 || error.code === "idempotency_in_progress");
}

// The position a reader most likely takes: the side of their vote (Pour: pro, Contre: con).
function stanceOf(debate) {
  const ballot = debate.my_ballot;
  if (debate.function.type !== "vote" || !ballot) return "neutral";
  return ballot.choice === "yes" ? "pro" : ballot.choice === "no" ? "con" : "neutral";
}

// The form that publishes an argument, or a reply under `parent`.
function Composer({ debate, parent, onPublished, onCancel }) {
  const debateId = debate.id;
  const usual = stanceOf(debate);
  const [body, setBody] = useState("");
  const [stance, setStance] = useState(usual);
  const chosen = useRef(false); // the reader picked a position: a later vote leaves it be
  useEffect(() => {
    if (!chosen.current) setStance(usual);
  }, [usual]);
  const [note, setNote] = useState("");
  const [send, busy, error, , fresh] = useSubmit();
  const ids = parent ? `reply-${parent.id}` : "arg";
  const textarea = useRef(null);
  useEffect(() => {
    if (parent && textarea.current) textarea.current.focus(); // "Répondre": straight to the text
  }, []);
  const edit = (setter) => (event) => {
    fresh(); // another text: another request, another key
    setter(event.currentTarget.value);
  };
  const pick = (event) => {
    chosen.current = true;
    edit(setStance)(event);
  };
  const publish = async (event) => {
    event.preventDefault();
    setNote("");
    const comment = await send((key) =>
      api(`/debates/${enc(debateId)}/comments`, {
        method: "POST",
        body: parent ? { body, stance, parent_id: parent.id } : { body, stance },
        idempotencyKey: key,
      }),
    );
    if (!comment) return;
    setBody("");
    setNote(parent ? "" : t("args.published"));
    onPublished(comment);
  };
  return html`<form class="argue" onSubmit=${publish}>
      <${Alert} error=${error} />
      ${error &&
      html`<p class="reason" role="status">${retryable(error) ? t(parent ? "args.reply_not_published" : "args.not_published") : t("args.refused")}</p>`}
      <label for=${`${ids}-body`}>${parent ? t("args.reply_body", { name: authorName(parent) }) : t("args.body")}</label>
      <textarea id=${`${ids}-body`} ref=${textarea} rows=${parent ? 3 : 4} required maxlength="5000" value=${body} onInput=${edit(setBody)}></textarea>
      <label for=${`${ids}-stance`}>${t("args.stance")}</label>
      <select id=${`${ids}-stance`} value=${stance} onChange=${pick}>
        ${STANCES.map((s) => html`<option value=${s} selected=${s === stance}>${t(`args.${s}`)}</option>`)}
      </select>
      <p class="actions">
        <button type="submit" class="primary" disabled=${busy}>${parent ? t("args.reply_submit") : t("args.submit")}</button>
        ${onCancel && html` <button type="button" class="secondary" onClick=${onCancel}>${t("args.cancel")}</button>`}
      </p>
    </form>
    ${!parent && html`<p class="note" aria-live="polite">${note}</p>`}`;
}

// Hidden by reports and waiting for a moderator (`flagged`), rather than hidden by one with
// a reason: only then is a review still to come.
function awaitingReview(comment) {
  return !comment.hidden_reason || comment.hidden_reason === "flagged";
}

// One request at a time for a comment's small acts; [run, busy, error].
function useAct() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (work) => {
    if (busy) return false;
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return [run, busy, error, setError];
}

function FlagForm({ comment, onDone, onCancel }) {
  const [reason, setReason] = useState("");
  const [send, busy, error] = useSubmit();
  const submit = async (event) => {
    event.preventDefault();
    let already = false;
    const flagged = await send((key) =>
      api(`/comments/${enc(comment.id)}/flags`, { method: "POST", body: { reason }, idempotencyKey: key }).catch((e) => {
        if (e.code !== "already_flagged") throw e;
        already = true;
        return {};
      }),
    );
    if (flagged) onDone(already ? t("args.flag_already") : t("args.flag_sent"));
  };
  return html`<form class="panel" onSubmit=${submit}>
    <fieldset>
      <legend>${t("args.flag_legend")}</legend>
      ${FLAG_REASONS.map(
        (r) => html`<label class="choice">
          <input type="radio" name=${`flag-${comment.id}`} value=${r} required checked=${reason === r} onChange=${() => setReason(r)} />
          ${t(`flag.${r}`)}
        </label>`,
      )}
    </fieldset>
    <${Alert} error=${error} />
    <p class="actions">
      <button type="submit" class="primary" disabled=${busy}>${t("args.flag_submit")}</button>
      ${" "}<button type="button" class="secondary" onClick=${onCancel}>${t("args.cancel")}</button>
    </p>
  </form>`;
}

function EditForm({ comment, onDone, onCancel }) {
  const [body, setBody] = useState(comment.body || "");
  const [run, busy, error] = useAct();
  const id = `edit-${comment.id}`;
  const submit = (event) => {
    event.preventDefault();
    run(async () => onDone(await api(`/comments/${enc(comment.id)}`, { method: "PATCH", body: { body } })));
  };
  return html`<form class="panel argue" onSubmit=${submit}>
    <${Alert} error=${error} />
    <label for=${id}>${t("args.edit_label")}</label>
    <textarea id=${id} rows="4" required maxlength="5000" value=${body} onInput=${(e) => setBody(e.currentTarget.value)}></textarea>
    <p class="actions">
      <button type="submit" class="primary" disabled=${busy}>${t("args.save")}</button>
      ${" "}<button type="button" class="secondary" onClick=${onCancel}>${t("args.cancel")}</button>
    </p>
  </form>`;
}

// A second step before a deletion: the question, then "Supprimer" or "Annuler".
function DeleteConfirm({ comment, onDone, onCancel }) {
  const [run, busy, error] = useAct();
  const remove = () => run(async () => {
    await api(`/comments/${enc(comment.id)}`, { method: "DELETE" });
    onDone();
  });
  return html`<div class="panel confirm" role="group" aria-label=${t("args.delete_question")}>
    <p><strong>${t("args.delete_question")}</strong></p>
    <${Alert} error=${error} />
    <p class="actions">
      <button type="button" class="warning" disabled=${busy} onClick=${remove}>${t("args.delete_confirm")}</button>
      ${" "}<button type="button" class="secondary" onClick=${onCancel}>${t("args.cancel")}</button>
    </p>
  </div>`;
}

function Comment({ initial, ctx, reply }) {
  const [c, setC] = useState(initial);
  const [open, setOpen] = useState(null); // "reply" | "flag" | "edit" | "delete"
  const [note, setNote] = useState("");
  const [replies, setReplies] = useState(null); // {items, next} once read
  const [expanded, setExpanded] = useState(false);
  const [run, busy, error] = useAct();

  if (c.deleted) return html`<li class="comment muted">${reply ? t("args.reply_deleted") : t("args.deleted")}</li>`;

  const mine = Boolean(ctx.me) && c.author && c.author.id === ctx.me;
  const moderates = c.flags !== undefined; // the API shows flags to its moderators only
  const live = ctx.debate.status === "open";
  const canAct = ctx.mayTakePart && !c.hidden;
  const hasText = canAct && !c.author_erased; // an erased author's: nothing left to support or report
  const toggle = (panel) => {
    setNote("");
    setOpen(open === panel ? null : panel);
  };
  const done = (message) => {
    setOpen(null);
    setNote(message);
  };

  const react = () =>
    run(async () => {
      if (c.reacted) await api(`/comments/${enc(c.id)}/reaction`, { method: "DELETE" });
      else await api(`/comments/${enc(c.id)}/reaction`, { method: "PUT" });
      setC((x) => ({ ...x, reacted: !x.reacted, reactions: Math.max(0, x.reactions + (x.reacted ? -1 : 1)) }));
    });

  const readReplies = (cursor) =>
    run(async () => {
      const page = await api(`/comments/${enc(c.id)}/replies${cursor ? `?cursor=${enc(cursor)}` : ""}`);
      setReplies((r) => ({ items: [...(cursor && r ? r.items : []), ...page.items], next: page.next }));
    });
  const showReplies = () => {
    if (!expanded && !replies) readReplies();
    setExpanded(!expanded);
  };
  const replied = (comment) => {
    setReplies((r) => ({ items: [...(r ? r.items.filter((x) => x.id !== comment.id) : []), comment], next: r ? r.next : null }));
    setC((x) => ({ ...x, replies: x.replies + 1 }));
    if (!replies) readReplies();
    setExpanded(true);
    done(t("args.reply_published"));
  };

  const body = c.author_erased && !c.body
    ? html`<p class="masked">${t("args.erased_body")}</p>`
    : c.body === null || c.body === undefined
    ? html`<p class="masked">${t("args.hidden")} ${hiddenText(c)}</p>`
    : html`${c.hidden && html`<p class="masked">${t("args.hidden")} ${hiddenText(c)}</p>`}
        ${c.hidden && mine && !moderates && html`<p class="hint">${t(awaitingReview(c) ? "args.hidden_yours" : "args.hidden_yours_moderated")}</p>`}
        <${Paragraphs} text=${c.body} className="comment-body" />`;

  return html`<li class=${`comment stance-${c.stance}${c.hidden ? " is-hidden" : ""}`}>
    <p class="meta">
      <strong class=${c.author_erased ? "erased" : undefined}>${authorName(c)}</strong>
      ${" · "}<span class="stance">${t(`args.${c.stance}`)}</span>
      ${" · "}<time datetime=${c.created_at}>${formatDate(c.created_at)}</time>
      ${c.edited_at && html` · <span title=${formatDate(c.edited_at)}>${t("args.edited")}</span>`}
    </p>
    ${body}
    ${moderates && html`<${FlagSummary} comment=${c} />`}
    <div class="comment-actions">
      ${hasText && !mine
        ? html`<button type="button" class="small" aria-pressed=${c.reacted ? "true" : "false"} disabled=${busy} onClick=${react}>
            ${t("args.support")} <span class="count">${c.reactions}</span>
          </button>`
        : c.reactions > 0 && html`<span class="meta">${t("args.supports", { count: c.reactions })}</span>`}
      ${!reply && (c.replies > 0 || expanded) &&
      html`<button type="button" class="small" aria-expanded=${expanded ? "true" : "false"} onClick=${showReplies}>
        ${t("args.replies", { count: c.replies })}
      </button>`}
      ${!reply && canAct && html`<button type="button" class="small" aria-expanded=${open === "reply" ? "true" : "false"} onClick=${() => toggle("reply")}>${t("args.reply")}</button>`}
      ${hasText && !mine && html`<button type="button" class="small" aria-expanded=${open === "flag" ? "true" : "false"} onClick=${() => toggle("flag")}>${t("args.flag")}</button>`}
      ${mine && !c.hidden && live && html`<button type="button" class="small" aria-expanded=${open === "edit" ? "true" : "false"} onClick=${() => toggle("edit")}>${t("args.edit")}</button>`}
      ${mine && !c.hidden && html`<button type="button" class="small" aria-expanded=${open === "delete" ? "true" : "false"} onClick=${() => toggle("delete")}>${t("args.delete")}</button>`}
    </div>
    ${moderates && html`<${HideControls} comment=${c} onChange=${(m) => setC((x) => ({ ...x, ...m }))} />`}
    <${Alert} error=${error} />
    <p class="note" aria-live="polite">${note}</p>
    ${open === "flag" && html`<${FlagForm} comment=${c} onDone=${done} onCancel=${() => setOpen(null)} />`}
    ${open === "edit" && html`<${EditForm} comment=${c} onDone=${(edited) => { setC((x) => ({ ...x, ...edited })); done(t("args.edit_saved")); }} onCancel=${() => setOpen(null)} />`}
    ${open === "delete" && html`<${DeleteConfirm} comment=${c} onDone=${() => setC((x) => ({ ...x, deleted: true }))} onCancel=${() => setOpen(null)} />`}
    ${expanded && replies &&
    html`<ul class="comments replies" aria-label=${t("args.replies_of", { name: authorName(c) })}>
      ${replies.items.map((r) => html`<${Comment} key=${r.id} initial=${r} ctx=${ctx} reply=${true} />`)}
    </ul>
    ${replies.next && html`<p><button type="button" class="small" onClick=${() => readReplies(replies.next)}>${t("args.more_replies")}</button></p>`}`}
    ${open === "reply" && html`<${Composer} debate=${ctx.debate} parent=${c} onPublished=${replied} onCancel=${() => setOpen(null)} />`}
  </li>`;
}

export function Arguments({ debate, initial }) {
  const [items, setItems] = useState(initial.items);
  const [next, setNext] = useState(initial.next);
  const [listError, setListError] = useState(initial.error || null);

  const signedIn = Boolean(getToken());
  const reason = debate.can_vote && debate.can_vote.reason;
  const barred = ["not_eligible", "blocked", "unauthenticated"].includes(reason);
  const mayTakePart = signedIn && debate.status === "open" && !barred;
  const ctx = { debate, me: myId(), mayTakePart };

  const more = () =>
    loadComments(debate.id, next).then(
      (page) => {
        setItems((list) => [...list, ...page.items.filter((c) => !list.some((x) => x.id === c.id))]);
        setNext(page.next);
      },
      setListError,
    );

  return html`<section aria-labelledby="args-title">
    <h2 id="args-title">${t("args.title")}</h2>
    ${mayTakePart &&
    html`<${Composer} debate=${debate} onPublished=${(comment) => setItems((list) => [comment, ...list.filter((c) => c.id !== comment.id)])} />`}
    ${signedIn && debate.status === "open" && (reason === "blocked" || reason === "not_eligible") &&
    html`<p class="reason">${t(reason === "blocked" ? "args.blocked" : "args.not_eligible")}</p>`}
    ${!signedIn && debate.status === "open" && html`<p><a href=${signInUrl()}>${t("args.sign_in")}</a></p>`}
    <${Alert} error=${listError} />
    ${items.length === 0 ? html`<p>${t("args.none")}</p>` : html`<ul class="comments">${items.map((c) => html`<${Comment} key=${c.id} initial=${c} ctx=${ctx} />`)}</ul>`}
    ${next && html`<p><button type="button" class="secondary" onClick=${more}>${t("args.more")}</button></p>`}
  </section>`;
}
