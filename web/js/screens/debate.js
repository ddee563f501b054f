// "/debates/{id}": the question, the reader's ballot (form and state), the results when
// they may be seen, and the arguments. One request for the debate (it carries my_ballot,
// can_vote and turnout), then its results (only when visible) and arguments, at once.
import { html, useState, useRef, useEffect } from "../lib.js";
import { api, enc, ApiError } from "../api.js";
import { t, formatDate, formatPercent } from "../i18n.js";
import { signInUrl } from "../session.js";
import { Arguments, loadComments } from "./arguments.js";
import { useLoad, useScreenTitle, Alert, Paragraphs, LoadingScreen, ErrorScreen, StatusBadge, Dates } from "../ui.js";
import { isMethod, methodInitial, methodBody, methodText, methodRules, MethodFields, MethodOutcome, MethodResults } from "./methods.js";
import { ProxyBallots } from "./proxies.js";

// Whether GET .../results would answer 200 now (saves a request that would be refused).
function resultsVisible(debate) {
  const f = debate.function;
  if (f.type === "none") return false;
  if (debate.status === "closed") return true;
  if (debate.status !== "open") return false;
  return f.results_visibility === "live" || (f.results_visibility === "after_vote" && Boolean(debate.my_ballot));
}

async function loadResults(debate) {
  if (!resultsVisible(debate)) return null;
  try {
    return { results: await api(`/debates/${enc(debate.id)}/results`) };
  } catch (error) {
    return error.code === "results_hidden" ? null : { error };
  }
}

export function Debate({ id }) {
  const [state, reload, setData] = useLoad(async () => {
    const debate = await api(`/debates/${enc(id)}`);
    const [results, comments] = await Promise.all([
      loadResults(debate),
      loadComments(debate.id).then(
        (page) => ({ items: page.items, next: page.next }),
        (error) => ({ items: [], next: null, error }),
      ),
    ]);
    return { debate, results, comments };
  });
  useScreenTitle(state.data && state.data.debate.title);

  // Reads the debate (my_ballot, can_vote, turnout) and its results again.
  const refresh = () =>
    api(`/debates/${enc(id)}`).then(async (fresh) => {
      const freshResults = await loadResults(fresh);
      setData((data) => ({ ...data, debate: fresh, results: freshResults }));
    }, () => {});

  // Closed and not yet recounted: read the results again once the final count is due,
  // then every 15 s (at most 20 times) until it is there.
  const shown = state.data && state.data.results;
  const expected = shown && shown.results && !shown.results.final ? shown.results.final_expected_at : null;
  const attempts = useRef(0);
  useEffect(() => {
    if (!expected || attempts.current >= 20) return undefined;
    attempts.current += 1;
    const timer = setTimeout(refresh, Math.max(Date.parse(expected) - Date.now() + 5000, 15000));
    return () => clearTimeout(timer);
  }, [shown]);

  // After a ballot change, the running tally (turnout, results) counts it from the table's
  // stream, a second or more later: read again until it shows, and say so meanwhile.
  const [counting, setCounting] = useState("");
  const [holds, setHolds] = useState(false); // the reader holds proxies here: name their own ballot
  const follow = useRef({ gen: 0, timer: null });
  useEffect(() => () => clearTimeout(follow.current.timer), []);

  if (state.loading && !state.data) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  const { debate, results, comments } = state.data;

  // After a ballot: show it at once; then read the debate (and its results) again at 1,
  // 2.5, 5 and 10 s until the count shown reflects the change. Counts only ever come from
  // the Hub: none is added or taken off here.
  const ballotChanged = (myBallot) => {
    const before = debate;
    const delta = (myBallot ? 1 : 0) - (before.my_ballot ? 1 : 0);
    const shownBefore = results && results.results;
    const beforeCounts = shownBefore ? JSON.stringify(shownBefore.counts) : null;
    const reached = (was, now) => (delta > 0 ? now >= was + delta : now <= was + delta);
    const settled = (fresh, freshResults) => {
      if (delta !== 0 && typeof before.turnout === "number" && typeof fresh.turnout === "number")
        return reached(before.turnout, fresh.turnout);
      const r = freshResults && freshResults.results;
      if (!r) return true; // no count shown: nothing to wait for
      if (delta !== 0 && shownBefore) return reached(shownBefore.total, r.total);
      if (delta > 0) return r.total > 0; // shown since this vote: it counts at least this one
      return beforeCounts === null || JSON.stringify(r.counts) !== beforeCounts;
    };
    setData((data) => ({ ...data, debate: { ...data.debate, my_ballot: myBallot } }));
    // A count the reader sees (turnout, or results now visible): say it is on its way.
    const seen = typeof before.turnout === "number" || resultsVisible({ ...before, my_ballot: myBallot });
    const petition = debate.function.type === "petition";
    const message = !myBallot ? "ballot.counting_withdrawal" : petition ? "ballot.counting_signature" : "ballot.counting";
    setCounting(seen ? t(message) : "");
    const delays = seen ? [1000, 2500, 5000, 10000] : [1000]; // else: once, for what may be done next
    clearTimeout(follow.current.timer);
    const gen = ++follow.current.gen;
    let step = 0;
    const read = () =>
      api(`/debates/${enc(id)}`)
        .then(async (fresh) => {
          const freshResults = await loadResults(fresh);
          if (gen !== follow.current.gen) return false;
          setData((data) => ({ ...data, debate: fresh, results: freshResults }));
          return settled(fresh, freshResults);
        })
        .catch(() => false)
        .then((done) => {
          if (gen !== follow.current.gen) return;
          step += 1;
          if (done || step >= delays.length) setCounting("");
          else follow.current.timer = setTimeout(read, delays[step] - delays[step - 1]);
        });
    follow.current.timer = setTimeout(read, delays[0]);
  };

  return html`<p class="back"><a href=${`/consultations/${enc(debate.consultation_id)}`}>${t("debate.back")}</a></p>
    <h1>${debate.title}</h1>
    <p class="meta"><${StatusBadge} status=${debate.status} kind="debate" /> <${Dates} item=${debate} /></p>
    <${Paragraphs} text=${debate.body} />
    ${(debate.addenda || []).map(
      (a) => html`<aside class="addendum">
        <p class="meta">${t("debate.addendum", { date: formatDate(a.added_at), name: a.author.name })}</p>
        <${Paragraphs} text=${a.body} />
      </aside>`,
    )}
    ${debate.turnout !== null && debate.turnout !== undefined && debate.function.type !== "petition" &&
    html`<p class="meta">${t("debate.turnout", { count: debate.turnout })}</p>`}
    <${Ballot} key=${debate.id} debate=${debate} onChange=${ballotChanged} counting=${counting} titled=${holds} />
    <${ProxyBallots} debate=${debate} Ballot=${Ballot} onHeld=${setHolds} onCast=${() => setTimeout(refresh, 1500)} />
    <${Results} debate=${debate} results=${results} />
    <${Arguments} debate=${debate} initial=${comments} />`;
}

function optionLabel(debate, key) {
  const f = debate.function;
  if (f.type === "vote") return t(`ballot.${key}`);
  if (f.type === "petition") return t("results.signed");
  const option = (f.options || []).find((o) => o.id === key);
  return option ? option.label : key;
}

// A ballot in words: the reader's own, one a proxy's holder cast for them (`by`), or one
// the reader cast for a giver (`giver`).
function ballotText(debate, ballot, giver) {
  if (!ballot) return "";
  const f = debate.function;
  let choice = null; // null: secret
  if (f.type === "petition") choice = t("results.signed");
  else if (isMethod(f.type)) choice = methodText(f, ballot) || null;
  else if (!(ballot.secret && !ballot.choice && !ballot.choices))
    choice = f.type === "vote" ? t(`ballot.${ballot.choice}`) : (ballot.choices || []).map((c) => optionLabel(debate, c)).join(", ");
  if (giver) return choice ? t("proxy.you_voted_for", { name: giver.name, choice }) : t("proxy.you_voted_for_secret", { name: giver.name });
  if (ballot.by) return choice ? t("proxy.cast_by_holder", { choice }) : t("proxy.cast_by_holder_secret");
  if (f.type === "petition") return t("ballot.you_signed");
  return choice ? t("ballot.you_voted", { choice }) : t("ballot.you_voted_secret");
}

// A secret ballot's receipt, drawn here so that a retried request keeps the receipt the
// reader will be shown: 26 characters of Crockford's base32 in lower case (no i, l, o, u:
// nothing to mistake when copied by hand), 130 random bits, in groups of 4 joined by "-"
// (32 characters, within the API's [A-Za-z0-9_-]{22,64}).
const RECEIPT_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
export function newReceipt() {
  const bytes = crypto.getRandomValues(new Uint8Array(26));
  const chars = Array.from(bytes, (b) => RECEIPT_ALPHABET[b & 31]); // 256 = 8 × 32: unbiased
  const groups = [];
  for (let i = 0; i < chars.length; i += 4) groups.push(chars.slice(i, i + 4).join(""));
  return groups.join("-");
}

// What a refusal to take part says; a petition is signed, not voted.
function reasonText(f, reason) {
  if (f.type === "petition" && reason === "consultation_closed") return t("reason.petition_closed");
  if (f.type === "petition" && reason === "not_open") return t("reason.petition_not_open");
  if (f.type === "petition" && reason === "not_eligible") return t("reason.petition_not_eligible");
  return t(`reason.${reason}`);
}

// The reader's own ballot; or, with `giver` ({id, name}: a proxy the reader holds), the
// ballot they cast for that giver (`cast`: as GET .../ballot?for= answered, or null), sent
// with "for" and kept here (the debate's my_ballot stays the reader's own).
function proxyCan(debate) {
  if (debate.status === "open") return { allowed: true };
  return { allowed: false, reason: debate.status === "closed" ? "consultation_closed" : "not_open" };
}

function Ballot({ debate, onChange, counting, giver, cast, titled }) {
  const f = debate.function;
  const [castFor, setCastFor] = useState(cast || null);
  const [replaced, setReplaced] = useState(false); // the reader's ballot replaced a proxy's
  const mine = giver ? castFor : debate.my_ballot;
  const can = giver ? proxyCan(debate) : debate.can_vote || { allowed: false };
  const suffix = giver ? `-for-${giver.id.replace(/[^A-Za-z0-9_-]/g, "_")}` : "";
  const method = isMethod(f.type);
  const initial = mine ? (f.type === "vote" ? mine.choice : method ? methodInitial(f, mine) : mine.choices) : null;
  const [choice, setChoice] = useState(f.type === "vote" ? initial || null : method ? initial || methodInitial(f, null) : initial || []);
  const [error, setError] = useState(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState(null); // {code, url}: the receipt and its .txt
  const [copied, setCopied] = useState("");
  const [unsent, setUnsent] = useState(null);
  const [confirming, setConfirming] = useState(null); // a secret ballot awaiting its confirmation
  const pendingReceipt = useRef(null);
  const statusLine = useRef(null);
  const confirmButton = useRef(null);
  const submitButton = useRef(null);
  const focusAfter = useRef(null); // "confirm" | "submit" | "status", once rendered
  useEffect(() => {
    const target = { confirm: confirmButton, submit: submitButton, status: statusLine }[focusAfter.current];
    focusAfter.current = null;
    if (target && target.current) target.current.focus();
  });
  useEffect(() => () => receipt && URL.revokeObjectURL(receipt.url), [receipt]);
  if (f.type === "none") return null;

  // A ballot that did not reach the Hub (offline, 5xx) is kept, with its receipt if
  // secret, and "Réessayer" sends exactly the same again: the API answers a retry of the
  // same ballot as the first, so it is never counted twice.
  const send = async (body) => {
    setBusy(true);
    setError(null);
    setUnsent(null);
    setNote("");
    setConfirming(null);
    if (f.secret) {
      pendingReceipt.current = pendingReceipt.current || newReceipt();
      body = { ...body, receipt: pendingReceipt.current };
    }
    if (giver) body = { ...body, for: giver.id };
    try {
      const cast = await api(`/debates/${enc(debate.id)}/ballot`, { method: "PUT", body });
      if (cast.receipt) {
        const title = giver ? `${debate.title} (${t("proxy.vote_for", { name: giver.name })})` : debate.title;
        const text = t("ballot.receipt_file", { receipt: cast.receipt, title, url: location.href });
        setReceipt({ code: cast.receipt, url: URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" })) });
      }
      focusAfter.current = "status"; // the keyboard user keeps their place: on what changed
      if (giver) {
        setCastFor(cast);
        return onChange && onChange(cast);
      }
      setReplaced(Boolean(mine && mine.by && !cast.by));
      onChange(cast);
    } catch (e) {
      if (e.status === 0 || e.status >= 500 || e.status === 429) setUnsent({ body, error: e });
      else setError(e);
    } finally {
      setBusy(false);
    }
    return undefined;
  };

  const withdraw = async () => {
    setBusy(true);
    setError(null);
    try {
      await api(`/debates/${enc(debate.id)}/ballot`, { method: "DELETE" });
      setChoice(f.type === "vote" ? null : method ? methodInitial(f, null) : []);
      setNote(f.type === "petition" ? t("ballot.unsigned") : t("ballot.withdrawn"));
      focusAfter.current = "status";
      onChange(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const final = f.secret || f.allow_change === false; // cast once, never changed
  const submit = (event) => {
    event.preventDefault();
    if (f.type === "petition") return send({ sign: true });
    if (method) {
      let body;
      try {
        body = methodBody(f, choice);
      } catch (invalid) {
        return setError(invalid);
      }
      if (!final) return send(body);
      setError(null);
      focusAfter.current = "confirm";
      return setConfirming({ body, text: methodText(f, body) });
    }
    const empty = f.type === "vote" ? !choice : choice.length === 0;
    if (empty) return setError(new ApiError(0, "no_choice", t("ballot.pick")));
    const body = f.type === "vote" ? { choice } : { choices: choice };
    if (!final) return send(body); // a vote that changes at will: one click
    // A secret ballot (or one the debate does not let change) is final: a second step, in
    // the page, before it goes.
    setError(null);
    const text = f.type === "vote" ? t(`ballot.${choice}`) : choice.map((c) => optionLabel(debate, c)).join(", ");
    focusAfter.current = "confirm";
    return setConfirming({ body, text });
  };
  const back = () => {
    focusAfter.current = "submit";
    setConfirming(null);
  };

  const copy = () =>
    Promise.resolve()
      .then(() => navigator.clipboard.writeText(receipt.code))
      .then(() => setCopied(t("ballot.copied")), () => setCopied(t("ballot.copy_failed")));
  const canWithdraw = !giver && mine && !mine.by && f.allow_change && !f.secret && can.allowed;
  const submitLabel = giver
    ? t(mine ? "proxy.change_for" : "proxy.submit_for", { name: giver.name })
    : f.type === "petition" ? t("ballot.sign") : mine && !mine.by ? t("ballot.change") : t("ballot.submit");
  // Once only; but the reader's own ballot replaces one a proxy cast for them (not secret).
  const replaceable = !giver && mine && mine.by && !f.secret;
  const lapsed = giver && error && error.code === "already_voted"; // the giver voted meanwhile
  const showForm = !lapsed && can.allowed && (replaceable || !(mine && (f.type === "petition" || final)));

  let fields = null;
  if (f.type === "vote") {
    fields = html`<fieldset disabled=${Boolean(confirming)}>
      <legend>${giver ? t("proxy.ballot_of", { name: giver.name }) : t("ballot.legend")}</legend>
      ${["yes", "no", "abstain"].map(
        (value) => html`<label class="choice">
          <input type="radio" name="choice" value=${value} checked=${choice === value} onChange=${() => setChoice(value)} />
          ${t(`ballot.${value}`)}
        </label>`,
      )}
    </fieldset>`;
  } else if (method) {
    // A refusal made in the page (status 0) goes once the reader changes what it was about.
    const change = (next) => {
      setChoice(next);
      if (error && error.status === 0) setError(null);
    };
    fields = html`<${MethodFields} f=${f} value=${choice} onChange=${change} disabled=${Boolean(confirming)}
      prefix=${suffix ? `${suffix.slice(1)}-` : ""} />`;
  } else if (f.type === "poll") {
    const single = f.max_choices === 1;
    const toggle = (id, on) =>
      setChoice(single ? [id] : on ? [...choice.filter((c) => c !== id), id] : choice.filter((c) => c !== id));
    const hint = single
      ? t("ballot.poll_hint_one")
      : (f.min_choices || 1) <= 1
        ? t("ballot.poll_hint_upto", { max: f.max_choices })
        : t("ballot.poll_hint_many", { min: f.min_choices, max: f.max_choices });
    fields = html`<fieldset disabled=${Boolean(confirming)}>
      <legend>${giver ? t("proxy.answer_of", { name: giver.name }) : t("ballot.poll_legend")}</legend>
      <p class="hint">${hint}</p>
      ${f.options.map(
        (o) => html`<label class="choice">
          <input type=${single ? "radio" : "checkbox"} name="choices" value=${o.id} checked=${choice.includes(o.id)}
            onChange=${(e) => toggle(o.id, e.currentTarget.checked)} />
          ${o.label}
        </label>`,
      )}
    </fieldset>`;
  }

  return html`<section class=${giver ? "ballot ballot-for" : "ballot"} aria-labelledby=${`ballot-title${suffix}`}>
    ${giver
      ? html`<h3 id=${`ballot-title${suffix}`}>${t("proxy.vote_for", { name: giver.name })}</h3>`
      : titled
        ? html`<h2 id="ballot-title">${t("proxy.my_ballot")}</h2>`
        : html`<h2 id="ballot-title" class="sr-only">${t("ballot.section")}</h2>`}
    <p role="status" tabindex="-1" ref=${statusLine} class=${mine ? "ballot-state done" : "ballot-state"}>${mine ? ballotText(debate, mine, giver) : note}</p>
    ${replaced && html`<p class="note proxy-replaced">${t("proxy.replaced")}</p>`}
    ${replaceable && html`<p class="hint">${t("proxy.replace_hint")}</p>`}
    <p class="note" aria-live="polite">${counting}</p>
    ${receipt &&
    html`<div class="receipt">
      <h3>${giver ? t("proxy.receipt_title", { name: giver.name }) : t("ballot.receipt_title")}</h3>
      <p><code class="receipt-code">${receipt.code}</code></p>
      <p><strong>${t("ballot.receipt_warning")}</strong></p>
      <p>${t("ballot.receipt_how")}</p>
      <p class="actions">
        <button type="button" onClick=${copy}>${t("ballot.copy")}</button>
        ${" "}<a class="button" href=${receipt.url} download=${`receipt-${debate.id}${suffix}.txt`}>${t("ballot.download")}</a>
        ${" "}<span aria-live="polite">${copied}</span>
      </p>
    </div>`}
    ${unsent &&
    html`<div class="alert" role="alert">
      <p><strong>${t("ballot.not_recorded")}</strong></p>
      <p>${unsent.error.message}</p>
      <p><button type="button" class="primary" disabled=${busy} onClick=${() => send(unsent.body)}>${t("ballot.retry")}</button></p>
    </div>`}
    <${Alert} error=${error} />
    ${!can.allowed && !mine &&
    html`<p class="reason">
      ${can.reason === "unauthenticated" ? html`<a href=${signInUrl()}>${t("reason.unauthenticated")}</a>` : reasonText(f, can.reason)}
    </p>`}
    ${showForm &&
    html`<form onSubmit=${submit} class="ballot-form" noValidate>
      ${f.secret && !mine && html`<p class="hint">${t("ballot.secret_note")}</p>`}
      ${fields}
      ${confirming
        ? html`<div class="panel confirm" role="group" aria-labelledby=${`ballot-confirm${suffix}`}>
            <p id=${`ballot-confirm${suffix}`}><strong>${giver ? t("proxy.confirm_question", { name: giver.name, choice: confirming.text }) : t("ballot.confirm_question", { choice: confirming.text })}</strong></p>
            <p class="actions">
              <button type="button" class="primary" ref=${confirmButton} disabled=${busy} onClick=${() => send(confirming.body)}>${t("ballot.confirm")}</button>
              ${" "}<button type="button" class="secondary" onClick=${back}>${t("ballot.back")}</button>
            </p>
          </div>`
        : html`<button type="submit" class="primary" ref=${submitButton} disabled=${busy}>${submitLabel}</button>`}
    </form>`}
    ${canWithdraw &&
    html`<p><button type="button" class="secondary" disabled=${busy} onClick=${withdraw}>
      ${f.type === "petition" ? t("ballot.unsign") : t("ballot.withdraw")}
    </button></p>`}
  </section>`;
}

function Outcome({ debate, outcome, total }) {
  if (!outcome) return null;
  const f = debate.function;
  if (isMethod(f.type)) return html`<${MethodOutcome} debate=${debate} outcome=${outcome} total=${total} />`;
  const lines = [];
  if (f.type === "petition") {
    if (outcome.goal) lines.push(t("outcome.goal", { count: outcome.goal }));
    if (outcome.goal) lines.push(outcome.goal_reached ? t("outcome.goal_reached") : t("outcome.goal_missed"));
    return html`<ul class="facts-list">${lines.map((line) => html`<li>${line}</li>`)}</ul>`;
  }
  const head = outcome.result === "no_quorum" ? t("outcome.no_quorum") : f.type === "vote" ? t(`outcome.${outcome.result}`) : null;
  // No ballot: no one is ahead, and no tie to speak of.
  if (f.type === "poll" && total > 0 && outcome.ranking && outcome.ranking.length > 0 && outcome.result !== "no_quorum") {
    lines.push(t("outcome.winner", { labels: outcome.ranking[0].options.map((o) => optionLabel(debate, o)).join(", ") }));
  }
  if (typeof outcome.yes_share === "number") lines.push(t("outcome.yes_share", { percent: formatPercent(outcome.yes_share) }));
  if (outcome.tie_for_first && total > 0) lines.push(t("outcome.tie"));
  if (outcome.quorum)
    lines.push(t(outcome.result === "no_quorum" ? "rules.quorum_missed" : "rules.quorum_met", { count: total, quorum: outcome.quorum }));
  if (f.type === "vote" && outcome.result !== "no_quorum")
    lines.push(outcome.threshold ? t("rules.threshold", { percent: formatPercent(outcome.threshold) }) : t("rules.majority"));
  return html`${head && html`<p class="outcome"><strong>${head}</strong></p>`}
    ${lines.length > 0 && html`<ul class="facts-list">${lines.map((line) => html`<li>${line}</li>`)}</ul>`}`;
}

// Before the final count: what the outcome will need, in plain words.
function Rules({ debate }) {
  const f = debate.function;
  if (f.type !== "vote" && f.type !== "poll" && !isMethod(f.type)) return null;
  const lines = [];
  if (f.quorum) lines.push(t("rules.quorum", { count: f.quorum }));
  if (isMethod(f.type)) lines.push(methodRules(f));
  if (f.type === "vote") lines.push(f.threshold ? t("rules.threshold", { percent: formatPercent(f.threshold) }) : t("rules.majority"));
  return html`<ul class="facts-list" aria-label=${t("rules.label")}>${lines.map((line) => html`<li>${line}</li>`)}</ul>`;
}

function Results({ debate, results }) {
  const f = debate.function;
  if (f.type === "none") return null;
  if (!results) {
    if (debate.status !== "open") return null;
    const afterVote = f.type === "petition" ? "results.hidden_after_sign" : "results.hidden_after_vote";
    const hint = f.results_visibility === "after_vote" ? t(afterVote) : t("results.hidden_after_close");
    return html`<section aria-labelledby="results-title">
      <h2 id="results-title">${t("results.title")}</h2>
      <p>${hint}</p>
      <${Rules} debate=${debate} />
    </section>`;
  }
  if (results.error) return html`<section><h2>${t("results.title")}</h2><${Alert} error=${results.error} /></section>`;
  const r = results.results;
  const keys = f.type === "vote" ? ["yes", "no", "abstain"] : f.type === "poll" ? f.options.map((o) => o.id) : ["signed"];
  const petition = f.type === "petition";
  const scale = Math.max(r.total, 1);
  // A petition's result is one number: a line, not a table of one "option".
  const total = petition
    ? r.total === 0 ? t("results.no_signature") : t("results.signatures_line", { count: r.total })
    : r.total === 0 ? t("results.none") : t("results.total", { count: r.total });
  return html`<section aria-labelledby="results-title">
    <h2 id="results-title">${t("results.title")}</h2>
    <p class="meta">
      <span class=${r.final ? "badge badge-final" : "badge badge-provisional"}>${r.final ? t("results.final") : t("results.provisional")}</span>
      <span class="sep"> · </span><span class="results-total">${total}</span>
      ${petition && f.goal && !r.final ? html`<span class="sep"> · </span>${t("outcome.goal", { count: f.goal })}` : ""}
    </p>
    ${r.final && r.by_proxy > 0 && html`<p class="meta by-proxy">${t("proxy.by_proxy", { count: r.by_proxy })}</p>`}
    ${r.outcome ? html`<${Outcome} debate=${debate} outcome=${r.outcome} total=${r.total} />` : html`<${Rules} debate=${debate} />`}
    ${isMethod(f.type) && html`<${MethodResults} debate=${debate} r=${r} />`}
    ${!petition && !isMethod(f.type) &&
    html`<table class="results">
      <caption class="sr-only">${t("results.title")}</caption>
      <thead><tr><th scope="col">${t("results.option")}</th><th scope="col">${f.type === "petition" ? t("results.signatures") : t("results.count")}</th></tr></thead>
      <tbody>
        ${keys.map((key) => {
          const count = r.counts[key] || 0;
          return html`<tr>
            <th scope="row">${optionLabel(debate, key)}</th>
            <td><span class="bar-row"><span class="bar" aria-hidden="true" style=${{ width: `${(100 * count) / scale}%` }}></span><span class="count">${count}</span></span></td>
          </tr>`;
        })}
      </tbody>
    </table>`}
    ${!r.final && r.final_expected_at && html`<p class="hint">${t("results.final_expected", { date: formatDate(r.final_expected_at) })}</p>`}
    ${r.final && f.secret && html`<${ReceiptCheck} debate=${debate} />`}
  </section>`;
}

// A receipt as typed or pasted: spaces are no part of it; one of ours (26 base32 characters,
// grouped or not) is read as Crockford's base32 reads: any case, I and L for 1, O for 0.
// Anything else (a receipt of the earlier base64 form) goes as it is, case and all.
function typedReceipt(text) {
  const bare = text.replace(/\s+/g, "");
  const plain = bare.replace(/-/g, "");
  const grouped = /^([0-9a-z]{4}-){6}[0-9a-z]{2}$/i.test(bare);
  if (!grouped && !/^[0-9a-z]{26}$/i.test(bare)) return bare;
  const code = plain.toLowerCase().replace(/[il]/g, "1").replace(/o/g, "0");
  return code.match(/.{1,4}/g).join("-");
}

// After the final count of a secret ballot: was my receipt counted, and for what?
function ReceiptCheck({ debate }) {
  const [receipt, setReceipt] = useState("");
  const [found, setFound] = useState(null);
  const [error, setError] = useState(null);
  const check = async (event) => {
    event.preventDefault();
    setFound(null);
    setError(null);
    try {
      setFound(await api(`/debates/${enc(debate.id)}/receipts/${enc(typedReceipt(receipt))}`));
    } catch (e) {
      setError(e);
    }
  };
  return html`<form class="receipt-check" onSubmit=${check}>
    <label for="receipt">${t("receipt.label")}</label>
    <input id="receipt" type="text" required autocomplete="off" spellcheck="false" value=${receipt}
      onInput=${(e) => setReceipt(e.currentTarget.value)} />
    <button type="submit">${t("receipt.check")}</button>
    <${Alert} error=${error} />
    <p aria-live="polite">${found ? t("receipt.counted", { choice: (isMethod(debate.function.type) && methodText(debate.function, found)) || found.choices.map((c) => optionLabel(debate, c)).join(", ") }) : ""}</p>
  </form>`;
}
