// The decision methods of issue 19 on a debate's page: ranked choice (instant runoff),
// majority judgment, score and dot votes. Their ballot fields (no drag and drop: a select,
// radios or number inputs per option), the client's checks before sending, the text of a
// ballot, and their results: counts as bars, the runoff's rounds, the pairwise matrix, the
// majority grades. Every figure shown comes from the Hub; nothing is counted here.
import { html } from "../lib.js";
import { ApiError } from "../api.js";
import { t, language, formatPercent } from "../i18n.js";

export const METHODS = ["ranked", "majority_judgment", "score", "dot"];
export const isMethod = (type) => METHODS.includes(type);

// The grade scale, best first, and the shorter scales the debate form offers.
export const GRADES = ["excellent", "tres_bien", "bien", "assez_bien", "passable", "insuffisant", "a_rejeter"];
export const GRADE_SCALES = [GRADES, ["tres_bien", "bien", "assez_bien", "passable", "insuffisant"], ["bien", "passable", "insuffisant"]];
export const gradeLabel = (grade) => t(`grade.${grade}`);
const scaleOf = (f) => (f.grades && f.grades.length > 0 ? f.grades : GRADES);

const label = (f, id) => {
  const option = (f.options || []).find((o) => o.id === id);
  return option ? option.label : id;
};
const number = (n, digits = 2) => new Intl.NumberFormat(language(), { maximumFractionDigits: digits }).format(n);

// The form's state for a ballot: {option id: what was given}, from my ballot if any.
export function methodInitial(f, mine) {
  const state = {};
  for (const o of f.options) state[o.id] = "";
  if (!mine) return state;
  if (f.type === "ranked") (mine.ranking || []).forEach((id, i) => (state[id] = String(i + 1)));
  if (f.type === "majority_judgment") Object.assign(state, mine.grades || {});
  if (f.type === "score") for (const [id, n] of Object.entries(mine.scores || {})) state[id] = String(n);
  if (f.type === "dot") for (const [id, n] of Object.entries(mine.points || {})) state[id] = String(n);
  return state;
}

const refuse = (message) => new ApiError(0, "invalid_ballot", message);
const whole = (text) => (/^\s*\d+\s*$/.test(text) ? Number(text) : null);

// The ranked options, best first, and the ranks given twice.
function rankingOf(f, state) {
  const ranked = f.options.filter((o) => state[o.id] !== "").sort((a, b) => Number(state[a.id]) - Number(state[b.id]));
  const seen = {};
  for (const o of ranked) seen[state[o.id]] = (seen[state[o.id]] || 0) + 1;
  const twice = Object.keys(seen).filter((rank) => seen[rank] > 1);
  return { ranking: ranked.map((o) => o.id), twice };
}

function pointsLeft(f, state) {
  return f.points_per_voter - f.options.reduce((sum, o) => sum + (whole(state[o.id] || "0") || 0), 0);
}

// The ballot's body, or throws an ApiError saying plainly what to fix.
export function methodBody(f, state) {
  if (f.type === "ranked") {
    const { ranking, twice } = rankingOf(f, state);
    if (twice.length > 0) throw refuse(t("ballot.rank_twice", { rank: twice.join(", ") }));
    if (ranking.length === 0) throw refuse(t("ballot.rank_pick"));
    return { ranking };
  }
  if (f.type === "majority_judgment") {
    const missing = f.options.filter((o) => !state[o.id]);
    if (missing.length > 0) throw refuse(t("ballot.grade_missing", { labels: missing.map((o) => o.label).join(", ") }));
    return { grades: Object.fromEntries(f.options.map((o) => [o.id, state[o.id]])) };
  }
  if (f.type === "score") {
    const wrong = f.options.filter((o) => {
      const n = whole(state[o.id] || "");
      return n === null || n > f.max_score;
    });
    if (wrong.length > 0)
      throw refuse(t("ballot.score_missing", { max: f.max_score, labels: wrong.map((o) => o.label).join(", ") }));
    return { scores: Object.fromEntries(f.options.map((o) => [o.id, whole(state[o.id])])) };
  }
  const wrong = f.options.filter((o) => (state[o.id] || "").trim() !== "" && whole(state[o.id]) === null);
  if (wrong.length > 0) throw refuse(t("ballot.points_whole", { labels: wrong.map((o) => o.label).join(", ") }));
  const left = pointsLeft(f, state);
  if (left !== 0)
    throw refuse(left > 0 ? t("ballot.points_left_error", { count: left, total: f.points_per_voter }) : t("ballot.points_over_error", { count: -left, total: f.points_per_voter }));
  const points = {};
  for (const o of f.options) if (whole(state[o.id] || "0") > 0) points[o.id] = whole(state[o.id]);
  return { points };
}

// A ballot of one of these methods (mine, a receipt's, or a body about to go) in words;
// "" when it carries no choice (a secret ballot).
export function methodText(f, ballot) {
  if (!ballot) return "";
  if (f.type === "ranked" && ballot.ranking) return ballot.ranking.map((id, i) => `${i + 1}. ${label(f, id)}`).join(", ");
  const pairs = (map, show) =>
    f.options.filter((o) => o.id in map).map((o) => t("ballot.pair", { label: o.label, value: show(map[o.id]) })).join(", ");
  if (f.type === "majority_judgment" && ballot.grades) return pairs(ballot.grades, gradeLabel);
  if (f.type === "score" && ballot.scores) return pairs(ballot.scores, (n) => t("ballot.score_of", { score: n, max: f.max_score }));
  if (f.type === "dot" && ballot.points) return pairs(ballot.points, (n) => t("ballot.points_n", { count: n }));
  return "";
}

// The ballot's fields: `value` is methodInitial's state, `onChange(next state)`.
// `prefix` keeps ids apart when a page has several ballots (a proxy holder's, issue 19).
export function MethodFields({ f, value, onChange, disabled, prefix = "" }) {
  const set = (id, v) => onChange({ ...value, [id]: v });
  if (f.type === "ranked") {
    const most = f.max_ranks || f.options.length;
    const { ranking, twice } = rankingOf(f, value);
    return html`<fieldset disabled=${disabled} class="method-ballot">
      <legend>${t("ballot.rank_legend")}</legend>
      <p class="hint" id=${`${prefix}rank-hint`}>${f.max_ranks ? t("ballot.rank_hint_max", { max: f.max_ranks }) : t("ballot.rank_hint")}</p>
      ${f.options.map(
        (o) => html`<div class="rank-row" key=${o.id}>
          <label for=${`${prefix}rank-${o.id}`}>${o.label}</label>
          <select id=${`${prefix}rank-${o.id}`} aria-describedby=${`${prefix}rank-hint`} value=${value[o.id]} onChange=${(e) => set(o.id, e.currentTarget.value)}>
            <option value="" selected=${value[o.id] === ""}>${t("ballot.rank_none")}</option>
            ${Array.from({ length: most }, (_, i) => String(i + 1)).map(
              (rank) => html`<option value=${rank} selected=${value[o.id] === rank}>${t("ballot.rank_n", { rank })}</option>`,
            )}
          </select>
        </div>`,
      )}
      <div class="ranking-preview" aria-live="polite">
        ${twice.length > 0
          ? html`<p class="field-error">${t("ballot.rank_twice", { rank: twice.join(", ") })}</p>`
          : ranking.length === 0
            ? html`<p class="hint">${t("ballot.rank_empty")}</p>`
            : html`<p>${t("ballot.rank_preview")}</p>
                <ol>${ranking.map((id) => html`<li key=${id}>${label(f, id)}</li>`)}</ol>`}
      </div>
    </fieldset>`;
  }
  if (f.type === "majority_judgment") {
    const scale = scaleOf(f);
    return html`<div class="method-ballot">
      <p class="hint">${t("ballot.grade_hint")}</p>
      ${f.options.map(
        (o) => html`<fieldset disabled=${disabled} class="grade-group" key=${o.id}>
          <legend>${o.label}</legend>
          <div class="grade-choices">
            ${scale.map(
              (g) => html`<label class="choice">
                <input type="radio" name=${`${prefix}grade-${o.id}`} value=${g} required checked=${value[o.id] === g} onChange=${() => set(o.id, g)} />
                ${gradeLabel(g)}
              </label>`,
            )}
          </div>
        </fieldset>`,
      )}
    </div>`;
  }
  if (f.type === "score") {
    return html`<fieldset disabled=${disabled} class="method-ballot">
      <legend>${t("ballot.score_legend")}</legend>
      <p class="hint" id=${`${prefix}score-hint`}>${t("ballot.score_hint", { max: f.max_score })}</p>
      ${f.options.map(
        (o) => html`<div class="number-row" key=${o.id}>
          <label for=${`${prefix}score-${o.id}`}>${o.label}</label>
          <input type="number" inputmode="numeric" id=${`${prefix}score-${o.id}`} min="0" max=${f.max_score} step="1" required
            aria-describedby=${`${prefix}score-hint`} value=${value[o.id]} onInput=${(e) => set(o.id, e.currentTarget.value)} />
        </div>`,
      )}
    </fieldset>`;
  }
  const left = pointsLeft(f, value);
  return html`<fieldset disabled=${disabled} class="method-ballot">
    <legend>${t("ballot.points_legend")}</legend>
    <p class="hint" id=${`${prefix}points-hint`}>${t("ballot.points_hint", { count: f.points_per_voter })}</p>
    ${f.options.map(
      (o) => html`<div class="number-row" key=${o.id}>
        <label for=${`${prefix}points-${o.id}`}>${o.label}</label>
        <input type="number" inputmode="numeric" id=${`${prefix}points-${o.id}`} min="0" max=${f.points_per_voter} step="1"
          aria-describedby=${`${prefix}points-hint ${prefix}points-left`} value=${value[o.id]} onInput=${(e) => set(o.id, e.currentTarget.value)} />
      </div>`,
    )}
    <p id=${`${prefix}points-left`} class=${left < 0 ? "points-left field-error" : "points-left"} aria-live="polite">
      ${left >= 0 ? t("ballot.points_left", { count: left }) : t("ballot.points_over", { count: -left })}
    </p>
  </fieldset>`;
}

// Before the final count: how the method decides.
export function methodRules(f) {
  return t(`rules.${f.type}`, { max: f.max_score, count: f.points_per_voter });
}

// A table that may be wider than a phone scrolls inside its own region, never the page.
const Scroll = ({ name, children }) =>
  html`<div class="table-scroll" role="region" aria-label=${name} tabindex="0">${children}</div>`;

function Bar({ value, scale }) {
  return html`<span class="bar-row"><span class="bar" aria-hidden="true" style=${{ width: `${(100 * value) / Math.max(scale, 1)}%` }}></span><span class="count">${number(value)}</span></span>`;
}

// What the final count decided: the winner, the runoff's rounds, the Condorcet winner.
export function MethodOutcome({ debate, outcome, total }) {
  const f = debate.function;
  const lines = [];
  const decided = outcome.result !== "no_quorum" && total > 0;
  const first = outcome.ranking && outcome.ranking[0];
  if (decided && f.type === "ranked" && outcome.winner)
    lines.push(t("outcome.runoff_winner", { label: label(f, outcome.winner), count: outcome.rounds.length }));
  if (decided && f.type === "majority_judgment" && first) {
    const labels = first.options.map((id) => label(f, id)).join(", ");
    const grade = first.majority_grade ? gradeLabel(first.majority_grade) : "";
    lines.push(outcome.winner ? t("outcome.judgment_winner", { label: labels, grade }) : t("outcome.judgment_tie", { labels, grade }));
  }
  if (decided && f.type === "score" && first)
    lines.push(t("outcome.score_winner", { labels: first.options.map((id) => label(f, id)).join(", "), mean: number(first.mean), max: f.max_score }));
  if (decided && f.type === "dot" && first)
    lines.push(t("outcome.dot_winner", { labels: first.options.map((id) => label(f, id)).join(", "), count: first.count }));
  if (decided && outcome.tie_for_first) lines.push(t("outcome.tie"));
  if (decided && f.type === "ranked")
    lines.push(outcome.condorcet_winner ? t("outcome.condorcet", { label: label(f, outcome.condorcet_winner) }) : t("outcome.no_condorcet"));
  if (outcome.quorum)
    lines.push(t(outcome.result === "no_quorum" ? "rules.quorum_missed" : "rules.quorum_met", { count: total, quorum: outcome.quorum }));
  return html`${outcome.result === "no_quorum" && html`<p class="outcome"><strong>${t("outcome.no_quorum")}</strong></p>`}
    ${lines.length > 0 && html`<ul class="facts-list">${lines.map((line) => html`<li>${line}</li>`)}</ul>`}
    ${f.type === "ranked" && total > 0 && outcome.rounds && outcome.rounds.length > 0 && html`<${Rounds} f=${f} rounds=${outcome.rounds} />`}`;
}

// The instant runoff, one column per round: each option's ballots, who went, who won.
function Rounds({ f, rounds }) {
  const caption = t("results.rounds");
  const breaks = rounds.map((r, i) => [i, r]).filter(([, r]) => r.tie_break);
  return html`<${Scroll} name=${caption}>
      <table class="results method-table">
        <caption>${caption}</caption>
        <thead><tr><th scope="col">${t("results.option")}</th>
          ${rounds.map((_, i) => html`<th scope="col">${t("results.round", { n: i + 1 })}</th>`)}</tr></thead>
        <tbody>
          ${f.options.map(
            (o) => html`<tr>
              <th scope="row">${o.label}</th>
              ${rounds.map((r) => {
                if (!(o.id in r.counts)) return html`<td class="muted">${t("results.out")}</td>`;
                const mark = r.elected === o.id ? "elected" : r.eliminated === o.id ? "eliminated" : "";
                return html`<td class=${mark ? `round-${mark}` : ""}>${number(r.counts[o.id])}${mark && html` <strong>${t(`results.${mark}`)}</strong>`}</td>`;
              })}
            </tr>`,
          )}
          <tr><th scope="row">${t("results.exhausted")}</th>${rounds.map((r) => html`<td>${number(r.exhausted)}</td>`)}</tr>
        </tbody>
      </table>
    </${Scroll}>
    ${rounds.some((r) => r.exhausted > 0) &&
    html`<p class="hint">${t("results.exhausted_hint")}</p>`}
    ${breaks.length > 0 &&
    html`<ul class="facts-list">${breaks.map(([i, r]) => html`<li>${t(`results.tie_break_${r.tie_break}`, { n: i + 1, label: label(f, r.eliminated) })}</li>`)}</ul>`}`;
}

// The counts (as bars) and what each method shows beside them, live as final.
export function MethodResults({ debate, r }) {
  const f = debate.function;
  const b = r.breakdown || {};
  if (f.type === "majority_judgment") return html`<${Judgment} f=${f} r=${r} />`;
  const scale = f.type === "ranked" ? r.total : f.type === "score" ? r.total * f.max_score : r.total * f.points_per_voter;
  const caption = t(`results.caption_${f.type}`);
  const means = f.type === "score" && b.mean;
  return html`<table class="results">
      <caption class="sr-only">${t("results.title")}</caption>
      <thead><tr><th scope="col">${t("results.option")}</th><th scope="col">${caption}</th>
        ${means && html`<th scope="col">${t("results.mean", { max: f.max_score })}</th>`}</tr></thead>
      <tbody>
        ${f.options.map(
          (o) => html`<tr>
            <th scope="row">${o.label}</th>
            <td><${Bar} value=${r.counts[o.id] || 0} scale=${scale} /></td>
            ${means && html`<td>${typeof b.mean[o.id] === "number" ? number(b.mean[o.id]) : "—"}</td>`}
          </tr>`,
        )}
      </tbody>
    </table>
    ${f.type === "ranked" && b.pairwise && r.total > 0 && html`<${Pairwise} f=${f} pairwise=${b.pairwise} />`}`;
}

function Pairwise({ f, pairwise }) {
  const caption = t("results.pairwise");
  return html`<${Scroll} name=${caption}>
    <table class="results method-table pairwise">
      <caption>${caption}</caption>
      <thead><tr><td></td>${f.options.map((o) => html`<th scope="col">${o.label}</th>`)}</tr></thead>
      <tbody>
        ${f.options.map(
          (row) => html`<tr>
            <th scope="row">${row.label}</th>
            ${f.options.map((col) =>
              row.id === col.id
                ? html`<td class="muted">—</td>`
                : html`<td class=${(pairwise[row.id] || {})[col.id] > (pairwise[col.id] || {})[row.id] ? "pair-won" : ""}>${number((pairwise[row.id] || {})[col.id] || 0)}</td>`,
            )}
          </tr>`,
        )}
      </tbody>
    </table>
  </${Scroll}>`;
}

// Majority judgment: per option the grades received (a stacked bar and its words), and
// once final the majority grade and the rank.
function Judgment({ f, r }) {
  const scale = scaleOf(f);
  const grades = (r.breakdown && r.breakdown.grades) || {};
  const outcome = r.final && r.outcome && r.outcome.ranking && r.outcome.ranking.length > 0 ? r.outcome : null;
  const rows = outcome
    ? outcome.ranking.flatMap((place) => place.options.map((id) => ({ id, place })))
    : f.options.map((o) => ({ id: o.id, place: null }));
  const caption = t("results.judgment");
  const gauge = (g) => (g ? html`<br /><span class="gauge">${g.sign === "+" ? "+" : "−"}${"\u00a0"}${formatPercent(g.share)}</span>` : "");
  return html`<${Scroll} name=${caption}>
      <table class="results method-table judgment">
        <caption>${caption}</caption>
        <thead><tr>
          ${outcome && html`<th scope="col">${t("results.rank")}</th>`}
          <th scope="col">${t("results.option")}</th>
          ${outcome && html`<th scope="col">${t("results.majority_grade")}</th>`}
          <th scope="col">${t("results.grades")}</th>
        </tr></thead>
        <tbody>
          ${rows.map(({ id, place }) => {
            const got = grades[id] || {};
            const sum = scale.reduce((s, g) => s + (got[g] || 0), 0);
            const words = scale.filter((g) => got[g]).map((g) => `${gradeLabel(g)} ${number(got[g])}`).join(" · ");
            return html`<tr key=${id}>
              ${outcome && html`<td>${place.rank}</td>`}
              <th scope="row">${label(f, id)}</th>
              ${outcome && html`<td>${place.majority_grade ? html`<strong>${gradeLabel(place.majority_grade)}</strong>${gauge(place.gauge)}` : "—"}</td>`}
              <td>
                ${sum > 0 && html`<span class="stack" aria-hidden="true">
                  ${scale.map((g) => got[g] ? html`<span class=${`stack-part grade-tone-${Math.round((6 * scale.indexOf(g)) / (scale.length - 1))}`} style=${{ width: `${(100 * got[g]) / Math.max(sum, 1)}%` }}></span>` : null)}
                </span>`}
                <span class="stack-words">${words || t("results.no_grade")}</span>
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </${Scroll}>
    ${outcome && html`<p class="hint">${t("results.gauge_hint")}</p>`}`;
}
