// "/groups/{id}/audit": the association's audit log for its admins, newest first, a page
// at a time. Each entry is a sentence in the reader's language, built only from what the
// API gives: who acted (their name then), what they did, to whom (a user id: the log keeps
// no other name for them), when, and the details it recorded. An action this client does
// not know yet is shown as it is named, never hidden.
import { html } from "../lib.js";
import { enc } from "../api.js";
import { t, formatDate } from "../i18n.js";
import { useGroupList, ToolScreen, More } from "./grouptools.js";

// A person who deleted their account is a pseudonym ("erased-…", issue 18) with no name.
const ERASED = /^erased-/;

// The Hub's own actors (scheduled changes, automatic moderation) carry English names.
// Every sentence begins with its actor: "Un membre supprimé", "un membre supprimé" elsewhere.
function actorName(actor, first = true) {
  if (ERASED.test(actor.id)) return t(first ? "audit.erased_actor" : "audit.erased_subject");
  const own = `audit.actor.${actor.id}`;
  return t(own) === own ? actor.name : t(own);
}

function known(key) {
  return t(key) !== key;
}

function role(value) {
  return value ? t(`role.${value}`) : "";
}

function policy(value) {
  return known(`policy.${value}`) ? t(`policy.${value}`) : String(value);
}

// group_updated: {field: {from, to}}; long texts (the description) are named, not quoted.
function groupChanges(details) {
  return Object.entries(details)
    .map(([field, change]) => {
      const from = change && change.from;
      const to = change && change.to;
      if (field === "name") return t("audit.change.name", { from, to });
      if (field === "listed") return t("audit.change.listed", { to: to ? t("audit.yes") : t("audit.no") });
      if (field === "join_policy") return t("audit.change.join_policy", { from: policy(from), to: policy(to) });
      const named = `audit.field.${field}`;
      return known(named) ? t(named) : field;
    })
    .join(t("audit.separator"));
}

function fieldList(details) {
  const skip = new Set(["consultation_id", "debate_id"]);
  return Object.keys(details)
    .filter((f) => !skip.has(f))
    .map((f) => (known(`audit.field.${f}`) ? t(`audit.field.${f}`) : f))
    .join(t("audit.separator"));
}

// The sentence's key and its values, by action (and, for some, by how it happened).
// `titles`: consultation titles by id, from the entries read so far (its creation, a renaming).
export function sentence(entry, titles = {}) {
  const d = entry.details || {};
  const values = {
    actor: actorName(entry.actor),
    subject:
      entry.subject_id === entry.actor.id || ERASED.test(entry.subject_id || "")
        ? actorName({ id: entry.subject_id, name: entry.actor.name }, false)
        : entry.subject_id || "",
    role: role(d.role),
    from: role(d.from),
    to: role(d.to),
    title: d.title || "",
    name: d.name || "",
    reason: d.reason || "",
    until: d.until ? formatDate(d.until) : "",
    uses: d.uses,
  };
  let key = `audit.${entry.action}`;
  if (entry.action === "group_updated") values.changes = groupChanges(d);
  if (["consultation_updated", "debate_updated"].includes(entry.action)) values.changes = fieldList(d);
  if (entry.action === "member_joined") key = `audit.member_joined.${d.via}`;
  if (entry.action === "consultation_closed") key = `audit.consultation_closed.${d.by === "admin" ? "admin" : "schedule"}`;
  if (entry.action === "member_blocked" && d.until) key = "audit.member_blocked.until";
  if (entry.action === "grant_set" && d.previous) key = "audit.grant_set.changed";
  if (entry.action === "grant_set") values.previous = role(d.previous);
  const named = entry.action.startsWith("consultation_") && !d.title && titles[d.consultation_id];
  if (named && known(`${key}.named`)) {
    key = `${key}.named`;
    values.title = named;
  }
  if (!known(key)) return t("audit.unknown", { actor: values.actor, action: entry.action.replace(/_/g, " ") });
  return t(key, values);
}

// What the entry points at, when the API names it: the consultation or the debate.
function Links({ details }) {
  const links = [];
  if (details.debate_id) links.push(html`<a href=${`/debates/${enc(details.debate_id)}`}>${t("audit.see_debate")}</a>`);
  else if (details.consultation_id)
    links.push(html`<a href=${`/consultations/${enc(details.consultation_id)}`}>${t("audit.see_consultation")}</a>`);
  return links.length ? html`<p class="meta">${links}</p>` : null;
}

// Newest first: the first title met for a consultation is its latest.
function consultationTitles(items) {
  const titles = {};
  for (const e of items) {
    const d = e.details || {};
    let title = null;
    if (e.action === "consultation_created") title = d.title;
    if (e.action === "consultation_updated") title = d.title && d.title.to;
    if (d.consultation_id && typeof title === "string" && !(d.consultation_id in titles)) titles[d.consultation_id] = title;
  }
  return titles;
}

export function Audit({ id }) {
  const [state, reload, , more] = useGroupList(id, "audit");
  const data = state.data;
  const titles = data ? consultationTitles(data.items) : {};
  return html`<${ToolScreen} state=${state} reload=${reload} title=${t("audit.title")}>
    ${data &&
    html`<p class="meta">${t("audit.intro")}</p>
      ${data.items.length === 0
        ? html`<p>${t("audit.none")}</p>`
        : html`<ol class="audit">
            ${data.items.map(
              (e) => html`<li key=${e.id}>
                <p class="audit-sentence">${sentence(e, titles)}</p>
                ${e.details && e.details.reason && html`<p class="meta">${t("audit.reason", { reason: e.details.reason })}</p>`}
                <p class="meta"><time datetime=${e.at}>${formatDate(e.at)}</time></p>
                <${Links} details=${e.details || {}} />
              </li>`,
            )}
          </ol>`}
      <${More} next=${data.next} more=${more} label=${t("audit.more")} />`}
  </${ToolScreen}>`;
}
