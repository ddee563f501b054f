// "/groups/{id}/moderation": the association's moderation queue (flagged and hidden comments,
// with their flags, reasons and earlier versions) and what its moderators do with them: hide
// with a reason, restore, block the author for a while with a reason, unblock. Destructive
// acts take a second step in the page. HideControls also serves the debate screen.
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t, formatDate } from "../i18n.js";
import { useLoad, useScreenTitle, Alert, Paragraphs, LoadingScreen, ErrorScreen } from "../ui.js";

export function hiddenText(comment) {
  if (!comment.hidden_reason || comment.hidden_reason === "flagged") return t("args.hidden_flagged");
  return t("args.hidden_reason", { reason: comment.hidden_reason });
}

export function FlagSummary({ comment }) {
  if (!comment.flags) return null;
  const reasons = Object.entries(comment.flag_reasons || {}).filter(([, n]) => n > 0);
  return html`<p class="meta flags">
    ${t("mod.flags", { count: comment.flags })}
    ${reasons.length > 0 && ` — ${reasons.map(([r, n]) => `${t(`flag.${r}`)} (${n})`).join(", ")}`}
  </p>`;
}

const MAX_EMPTY_PAGES = 5; // pages may be empty while `next` is given: follow a few at once

async function readQueue(groupId, cursor) {
  let items = [];
  let next = cursor || null;
  for (let read = 0; read < MAX_EMPTY_PAGES; read += 1) {
    const page = await api(`/groups/${enc(groupId)}/moderation${next ? `?cursor=${enc(next)}` : ""}`);
    items = [...items, ...page.items];
    next = page.next;
    if (items.length > 0 || !next) break;
  }
  return { items, next };
}

function useAct() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (work) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return [run, busy, error];
}

// Hide (a reason, then a confirmation) or restore one comment; `onChange` gets the comment
// as its moderators now see it.
export function HideControls({ comment, onChange }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [note, setNote] = useState("");
  const [run, busy, error] = useAct();
  if (comment.deleted) return null;
  const id = `hide-reason-${comment.id}`;
  const hide = (event) => {
    event.preventDefault();
    run(async () => {
      onChange(await api(`/comments/${enc(comment.id)}/hide`, { method: "POST", body: { reason } }));
      setOpen(false);
      setNote(t("mod.hidden_done"));
    });
  };
  const restore = () =>
    run(async () => {
      onChange(await api(`/comments/${enc(comment.id)}/restore`, { method: "POST" }));
      setNote(comment.hidden ? t("mod.restored_done") : t("mod.kept_done"));
    });
  return html`<div class="mod-controls">
    <p class="comment-actions">
      ${!comment.hidden &&
      html`<button type="button" class="small" aria-expanded=${open ? "true" : "false"} onClick=${() => { setNote(""); setOpen(!open); }}>${t("mod.hide")}</button>`}
      ${(comment.hidden || comment.flags > 0) &&
      html`<button type="button" class="small" disabled=${busy} onClick=${restore}>${comment.hidden ? t("mod.restore") : t("mod.keep")}</button>`}
    </p>
    ${open && !comment.hidden &&
    html`<form class="panel argue" onSubmit=${hide}>
      <label for=${id}>${t("mod.hide_reason")}</label>
      <p class="hint" id=${`${id}-hint`}>${t("mod.hide_hint")}</p>
      <textarea id=${id} rows="2" required maxlength="500" aria-describedby=${`${id}-hint`} value=${reason}
        onInput=${(e) => setReason(e.currentTarget.value)}></textarea>
      <p class="actions">
        <button type="submit" class="warning" disabled=${busy}>${t("mod.hide_confirm")}</button>
        ${" "}<button type="button" class="secondary" onClick=${() => setOpen(false)}>${t("args.cancel")}</button>
      </p>
    </form>`}
    <${Alert} error=${error} />
    <p class="note" aria-live="polite">${note}</p>
  </div>`;
}

const DURATIONS = [
  ["1", 1],
  ["7", 7],
  ["30", 30],
  ["none", null],
];

function BlockControls({ groupId, person, commentId }) {
  const [open, setOpen] = useState(false);
  const [days, setDays] = useState("7");
  const [reason, setReason] = useState("");
  const [block, setBlock] = useState(null);
  const [note, setNote] = useState("");
  const [run, busy, error] = useAct();
  if (!person) return null;
  const id = `block-${commentId}`;
  const path = `/groups/${enc(groupId)}/blocks/${enc(person.id)}`;
  const confirm = (event) => {
    event.preventDefault();
    const span = DURATIONS.find(([key]) => key === days)[1];
    const until = span === null ? null : new Date(Date.now() + span * 86400000).toISOString();
    run(async () => {
      setBlock(await api(path, { method: "PUT", body: { reason, until } }));
      setOpen(false);
      setNote("");
    });
  };
  const unblock = () =>
    run(async () => {
      await api(path, { method: "DELETE" });
      setBlock(null);
      setNote(t("mod.unblocked", { name: person.name }));
    });
  return html`<div class="mod-controls">
    ${block
      ? html`<p class="reason" role="status">
            ${block.until ? t("mod.blocked_until", { name: person.name, date: formatDate(block.until) }) : t("mod.blocked_forever", { name: person.name })}
          </p>
          <p><button type="button" class="small" disabled=${busy} onClick=${unblock}>${t("mod.unblock", { name: person.name })}</button></p>`
      : html`<p class="comment-actions"><button type="button" class="small" aria-expanded=${open ? "true" : "false"}
          onClick=${() => { setNote(""); setOpen(!open); }}>${t("mod.block", { name: person.name })}</button></p>`}
    ${open && !block &&
    html`<form class="panel argue" onSubmit=${confirm}>
      <p class="hint">${t("mod.block_hint", { name: person.name })}</p>
      <label for=${`${id}-days`}>${t("mod.block_duration")}</label>
      <select id=${`${id}-days`} value=${days} onChange=${(e) => setDays(e.currentTarget.value)}>
        ${DURATIONS.map(([key]) => html`<option value=${key} selected=${key === days}>${t(`mod.days_${key}`)}</option>`)}
      </select>
      <label for=${`${id}-reason`}>${t("mod.block_reason")}</label>
      <textarea id=${`${id}-reason`} rows="2" required maxlength="500" value=${reason}
        onInput=${(e) => setReason(e.currentTarget.value)}></textarea>
      <p class="actions">
        <button type="submit" class="warning" disabled=${busy}>${t("mod.block_confirm")}</button>
        ${" "}<button type="button" class="secondary" onClick=${() => setOpen(false)}>${t("args.cancel")}</button>
      </p>
    </form>`}
    <${Alert} error=${error} />
    <p class="note" aria-live="polite">${note}</p>
  </div>`;
}

// Who wrote a comment: their name, or "membre supprimé" once they deleted their account
// (the comment stays, without its text, so that its replies keep their place).
export function authorName(comment) {
  if (comment.author_erased) return t("args.erased_author");
  return comment.author ? comment.author.name : "";
}

function QueueItem({ item, groupId }) {
  const [c, setC] = useState(item);
  const author = c.author || c.author_erased ? authorName(c) : t("args.deleted");
  return html`<li class="card mod-item">
    <p class="meta">
      <strong>${author}</strong>
      ${" · "}<span class="stance">${t(`args.${c.stance}`)}</span>
      ${" · "}<time datetime=${c.created_at}>${formatDate(c.created_at)}</time>
      ${c.edited_at && html` · ${t("args.edited")}`}
      ${c.parent_id && html` · ${t("mod.is_reply")}`}
    </p>
    <p class=${c.hidden ? "masked" : "meta"}>${c.hidden ? `${t("args.hidden")} ${hiddenText(c)}` : c.flags > 0 ? t("mod.visible") : t("mod.reviewed")}</p>
    <${FlagSummary} comment=${c} />
    ${c.deleted ? html`<p class="muted">${t("args.deleted")}</p>` : c.author_erased && !c.body ? html`<p class="masked">${t("args.erased_body")}</p>` : html`<${Paragraphs} text=${c.body} className="comment-body" />`}
    ${c.history && c.history.length > 0 &&
    html`<details class="history">
      <summary>${t("mod.history", { count: c.history.length })}</summary>
      <ol>
        ${c.history.map(
          (v) => html`<li>
            <p class="meta"><time datetime=${v.written_at}>${formatDate(v.written_at)}</time></p>
            <${Paragraphs} text=${v.body} className="comment-body" />
          </li>`,
        )}
      </ol>
    </details>`}
    <p class="open-debate"><a href=${`/debates/${enc(c.debate_id)}`}>${t("mod.open_debate")}</a></p>
    <${HideControls} comment=${c} onChange=${(m) => setC((x) => ({ ...x, ...m }))} />
    ${!c.author_erased && html`<${BlockControls} groupId=${groupId} person=${c.author} commentId=${c.id} />`}
  </li>`;
}

// Who is blocked now, as the audit log tells it (the API keeps no list of blocks): newest
// first, a person's latest block or unblock decides; a block whose end has passed is over.
// At most AUDIT_PAGES pages are read (100 entries each): an older block is not found.
const AUDIT_PAGES = 3;

export function blockedNow(entries, now = Date.now()) {
  const seen = new Set();
  const blocked = [];
  for (const e of entries) {
    if (!["member_blocked", "member_unblocked"].includes(e.action) || !e.subject_id || seen.has(e.subject_id)) continue;
    seen.add(e.subject_id);
    const until = e.details && e.details.until;
    if (e.action === "member_blocked" && (!until || Date.parse(until) > now)) blocked.push({ id: e.subject_id, until: until || null });
  }
  return blocked;
}

async function readBlocked(groupId) {
  let entries = [];
  let cursor = null;
  for (let read = 0; read < AUDIT_PAGES; read += 1) {
    const page = await api(`/groups/${enc(groupId)}/audit?limit=100${cursor ? `&cursor=${enc(cursor)}` : ""}`);
    entries = [...entries, ...page.items];
    cursor = page.next;
    if (!cursor) break;
  }
  return blockedNow(entries);
}

// Lifting a block that is no longer on a queue item. Its admins read the audit log, so the
// panel offers those it shows blocked (with the end of each block); a moderator, who may
// not read the log, picks among the members and the API says when one is not blocked.
// Read each time the panel opens (a block may have been set meanwhile).
function Unblock({ groupId, admin }) {
  const [people, setPeople] = useState(null);
  const [who, setWho] = useState("");
  const [note, setNote] = useState("");
  const [run, busy, error] = useAct();
  const open = (event) => {
    if (!event.currentTarget.open) return;
    run(async () => {
      const members = api(`/groups/${enc(groupId)}/members?limit=100`).then((page) => page.items);
      if (!admin) return setPeople(await members);
      const [blocked, known] = await Promise.all([readBlocked(groupId), members.catch(() => [])]);
      const names = Object.fromEntries(known.map((m) => [m.id, m.name]));
      return setPeople(blocked.map((b) => ({ ...b, name: names[b.id] || b.id })));
    });
  };
  const lift = (event) => {
    event.preventDefault();
    const person = people.find((m) => m.id === who);
    setNote("");
    run(async () => {
      await api(`/groups/${enc(groupId)}/blocks/${enc(who)}`, { method: "DELETE" });
      setNote(t("mod.unblocked", { name: person ? person.name : who }));
      if (admin) {
        setPeople((list) => list.filter((m) => m.id !== who));
        setWho("");
      }
    });
  };
  const label = (m) =>
    admin ? (m.until ? t("mod.blocked_option_until", { name: m.name, date: formatDate(m.until) }) : t("mod.blocked_option", { name: m.name })) : m.name;
  return html`<details class="panel unblock" onToggle=${open}>
    <summary>${t("mod.unblock_title")}</summary>
    ${people && html`<p class="hint">${admin ? t("mod.unblock_from_audit") : t("mod.unblock_from_members")}</p>`}
    ${people && admin && people.length === 0 && html`<p>${t("mod.unblock_none")}</p>`}
    ${people && (!admin || people.length > 0) &&
    html`<form class="argue" onSubmit=${lift}>
      <label for="unblock-who">${admin ? t("mod.unblock_who_blocked") : t("mod.unblock_who")}</label>
      <select id="unblock-who" required value=${who} onChange=${(e) => setWho(e.currentTarget.value)}>
        <option value="">${admin ? t("mod.unblock_pick_blocked") : t("mod.unblock_pick")}</option>
        ${people.map((m) => html`<option value=${m.id} selected=${m.id === who}>${label(m)}</option>`)}
      </select>
      <p class="actions"><button type="submit" disabled=${busy}>${t("mod.unblock_submit")}</button></p>
    </form>`}
    <${Alert} error=${error} />
    <p class="note" aria-live="polite">${note}</p>
  </details>`;
}

export function Moderation({ id }) {
  const [state, reload, setData] = useLoad(async () => {
    const [group, queue] = await Promise.all([api(`/groups/${enc(id)}`), readQueue(id)]);
    return { group, ...queue };
  });
  const [moreError, setMoreError] = useState(null);
  const title = state.data && t("mod.title", { name: state.data.group.name });
  useScreenTitle(title);
  if (state.loading && !state.data) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  const { group, items, next } = state.data;
  const more = () =>
    readQueue(id, next).then(
      (page) => setData((d) => ({ ...d, items: [...d.items, ...page.items.filter((i) => !d.items.some((x) => x.id === i.id))], next: page.next })),
      setMoreError,
    );
  return html`<p class="back"><a href=${`/groups/${enc(group.id)}`}>${t("tools.back", { group: group.name })}</a></p>
    <h1>${title}</h1>
    <p class="hint">${t("mod.intro")}</p>
    ${items.length === 0
      ? html`<p>${t("mod.empty")}</p>`
      : html`<ul class="cards mod-queue">${items.map((item) => html`<${QueueItem} key=${item.id} item=${item} groupId=${group.id} />`)}</ul>`}
    <${Alert} error=${moreError} />
    ${next && html`<p><button type="button" class="secondary" onClick=${more}>${t("mod.more")}</button></p>`}
    <${Unblock} groupId=${group.id} admin=${group.my_role === "admin"} />`;
}
