// A debate's question and its decision, as POST /consultations/{id}/debates and
// PATCH /debates/{id} take them: vote, poll (options, how many choices), petition (goal) or
// none; secret; when results show; whether a ballot may change; quorum and threshold, each
// said in plain words. The API checks the rules; its refusals name the field they concern.
import { html } from "../lib.js";
import { ApiError } from "../api.js";
import { t, formatPercent } from "../i18n.js";
import { Field, Check, Select, describedBy } from "../forms.js";
import { isMethod, GRADES, GRADE_SCALES, gradeLabel } from "./methods.js";

export function emptyDebate(consultation) {
  return {
    title: "",
    body: "",
    type: "vote",
    secret: false,
    results_visibility: "after_close",
    allow_change: true,
    options: ["", ""],
    min_choices: "1",
    max_choices: "1",
    quorum: "",
    threshold: "",
    goal: "",
    max_ranks: "",
    grades: GRADES.join(","),
    max_score: "5",
    points_per_voter: "10",
    show_turnout: Boolean(consultation && consultation.visibility === "public"),
  };
}

const text = (n) => (n === null || n === undefined ? "" : String(n));

// The form's state for an existing debate.
export function debateToForm(debate) {
  const f = debate.function || { type: "none" };
  const form = emptyDebate(null);
  return {
    ...form,
    title: debate.title,
    body: debate.body || "",
    type: f.type,
    secret: Boolean(f.secret),
    results_visibility: f.results_visibility || form.results_visibility,
    allow_change: f.allow_change !== false,
    options: f.type === "poll" || isMethod(f.type) ? f.options.map((o) => o.label) : form.options,
    min_choices: text(f.min_choices || 1),
    max_choices: text(f.max_choices || 1),
    quorum: text(f.quorum),
    threshold: f.threshold ? String(Math.round(f.threshold * 1000) / 10) : "",
    goal: text(f.goal),
    max_ranks: text(f.max_ranks),
    grades: (f.grades && f.grades.length > 0 ? f.grades : GRADES).join(","),
    max_score: text(f.max_score ?? 5),
    points_per_voter: text(f.points_per_voter ?? 10),
    show_turnout: Boolean(debate.show_turnout),
  };
}

// A number typed in a field: sent as a number when it is one, else as typed, so that the
// API's refusal names the field; nothing when empty.
function number(value) {
  const trimmed = String(value).trim();
  if (trimmed === "") return undefined;
  const parsed = Number(trimmed.replace(",", "."));
  return Number.isFinite(parsed) ? parsed : trimmed;
}

// The request's body, or throws an ApiError naming the field (only the threshold, typed as
// a percentage, is checked here: the API's own bounds speak of a share between 0 and 1).
export function formToBody(form) {
  const fn = { type: form.type };
  if (form.type === "petition") {
    fn.results_visibility = form.results_visibility;
    fn.allow_change = form.allow_change;
    const goal = number(form.goal);
    if (goal !== undefined) fn.goal = goal;
  } else if (form.type === "vote" || form.type === "poll" || isMethod(form.type)) {
    fn.secret = form.secret;
    fn.results_visibility = form.results_visibility;
    fn.allow_change = form.secret ? false : form.allow_change;
    const quorum = number(form.quorum);
    if (quorum !== undefined) fn.quorum = quorum;
    if (isMethod(form.type)) {
      fn.options = form.options.map((o) => o.trim()).filter(Boolean);
      if (form.type === "ranked") fn.max_ranks = number(form.max_ranks) ?? null;
      if (form.type === "majority_judgment") fn.grades = form.grades.split(",");
      if (form.type === "score") fn.max_score = number(form.max_score) ?? 5;
      if (form.type === "dot") fn.points_per_voter = number(form.points_per_voter) ?? 10;
    } else if (form.type === "poll") {
      fn.options = form.options.map((o) => o.trim()).filter(Boolean);
      fn.min_choices = number(form.min_choices) ?? 1;
      fn.max_choices = number(form.max_choices) ?? fn.min_choices;
    } else {
      const percent = number(form.threshold);
      if (percent !== undefined) {
        if (typeof percent !== "number" || percent <= 0 || percent > 100) {
          throw new ApiError(0, "invalid", t("debateform.invalid"), [
            { field: "function.vote.threshold", message: t("debateform.threshold_invalid") },
          ]);
        }
        fn.threshold = Math.round(percent * 10) / 1000;
      }
    }
  }
  return { title: form.title, body: form.body, function: fn, show_turnout: form.show_turnout };
}

// {API field: [input id, label]} for the error summary.
export function debateFields(type) {
  const fields = {
    title: ["d-title", t("manage.debate_title")],
    body: ["d-body", t("manage.debate_body")],
    show_turnout: ["d-turnout", t("debateform.show_turnout")],
  };
  const prefix = `function.${type}.`;
  fields[`${prefix}options`] = ["d-option-0", t("manage.options")];
  fields[`${prefix}min_choices`] = ["d-min", t("debateform.min_choices")];
  fields[`${prefix}max_choices`] = ["d-max", t("debateform.max_choices")];
  fields[`${prefix}quorum`] = ["d-quorum", t("debateform.quorum")];
  fields[`${prefix}threshold`] = ["d-threshold", t("debateform.threshold")];
  fields[`${prefix}goal`] = ["d-goal", t("debateform.goal")];
  fields[`${prefix}results_visibility`] = ["d-results", t("manage.results")];
  fields[`${prefix}max_ranks`] = ["d-max-ranks", t("debateform.max_ranks")];
  fields[`${prefix}grades`] = ["d-grades", t("debateform.grades")];
  fields[`${prefix}max_score`] = ["d-max-score", t("debateform.max_score")];
  fields[`${prefix}points_per_voter`] = ["d-points", t("debateform.points_per_voter")];
  return fields;
}

// What the decision will be, in one sentence a volunteer can check.
export function decisionSummary(form) {
  if (form.type === "none") return t("debateform.summary_none");
  if (form.type === "petition") {
    const goal = number(form.goal);
    return typeof goal === "number" ? t("debateform.summary_goal", { count: goal }) : t("debateform.summary_petition");
  }
  const parts = [];
  const quorum = number(form.quorum);
  if (typeof quorum === "number") parts.push(t("debateform.summary_quorum", { count: quorum }));
  if (form.type === "vote") {
    const percent = number(form.threshold);
    parts.push(
      typeof percent === "number" && percent > 0 && percent <= 100
        ? t("debateform.summary_threshold", { percent: formatPercent(percent / 100) })
        : t("debateform.summary_majority"),
    );
  } else if (isMethod(form.type)) {
    const n = number(form.type === "score" ? form.max_score : form.points_per_voter);
    parts.push(t(`debateform.summary_${form.type}`, { max: typeof n === "number" ? n : 5, count: typeof n === "number" ? n : 10 }));
  } else {
    parts.push(t("debateform.summary_poll"));
  }
  if (form.secret) parts.push(t("debateform.summary_secret"));
  return parts.join(" ");
}

// The fields: `form` and `set(name)(value)`, `setForm` for the kind (which resets defaults).
export function DebateFields({ form, set, changeType, errors = {} }) {
  // An input's ties to its hint and its error (the API's message for that field).
  const tie = (id, hint = false) => ({
    "aria-describedby": describedBy(id, { hint, error: Boolean(errors[id]) }),
    "aria-invalid": errors[id] ? "true" : undefined,
  });
  const setOption = (index, value) => set("options")(form.options.map((o, i) => (i === index ? value : o)));
  const counted = form.type === "vote" || form.type === "poll" || isMethod(form.type);
  const withOptions = form.type === "poll" || isMethod(form.type);
  // The grade scales offered: the seven grades, five or three of them in order, and the
  // debate's own if it has another.
  const scales = GRADE_SCALES.map((scale) => scale.join(","));
  if (!scales.includes(form.grades)) scales.push(form.grades);
  return html`
    <${Field} id="d-title" error=${errors["d-title"]} label=${t("manage.debate_title")}>
      <input type="text" id="d-title" ...${tie("d-title")} value=${form.title} maxLength="200" onInput=${(e) => set("title")(e.target.value)} />
    </${Field}>
    <${Field} id="d-body" error=${errors["d-body"]} label=${t("manage.debate_body")} hint=${t("form.markdown_hint")}>
      <textarea id="d-body" rows="5" value=${form.body} ...${tie("d-body", true)}
        onInput=${(e) => set("body")(e.target.value)}></textarea>
    </${Field}>
    <${Select} id="d-type" label=${t("manage.decision")} value=${form.type} onChange=${changeType}
      options=${["none", "vote", "poll", "petition", "ranked", "majority_judgment", "score", "dot"].map((v) => [v, t(`decision.${v}`)])} />
    ${isMethod(form.type) && html`<p class="hint method-help">${t(`debateform.help_${form.type}`)}</p>`}
    ${withOptions &&
    html`<fieldset>
      <legend>${t("manage.options")}</legend>
      ${form.options.map(
        (o, i) => html`<${Field} key=${i} id=${`d-option-${i}`} error=${errors[`d-option-${i}`]} label=${t("manage.option", { n: i + 1 })}>
          <input type="text" id=${`d-option-${i}`} ...${tie(`d-option-${i}`)} value=${o} maxLength="200" onInput=${(e) => setOption(i, e.target.value)} />
        </${Field}>`,
      )}
      ${form.options.length < 20 &&
      html`<button type="button" onClick=${() => set("options")([...form.options, ""])}>${t("manage.add_option")}</button>`}
    </fieldset>`}
    ${form.type === "ranked" &&
    html`<${Field} id="d-max-ranks" error=${errors["d-max-ranks"]} label=${t("debateform.max_ranks")} hint=${t("debateform.max_ranks_hint")}>
      <input type="number" inputmode="numeric" id="d-max-ranks" min="1" max="20" value=${form.max_ranks} ...${tie("d-max-ranks", true)}
        onInput=${(e) => set("max_ranks")(e.target.value)} />
    </${Field}>`}
    ${form.type === "majority_judgment" &&
    html`<${Select} id="d-grades" label=${t("debateform.grades")} hint=${t("debateform.grades_hint")} value=${form.grades}
      onChange=${set("grades")}
      options=${scales.map((v) => [v, t("debateform.grade_scale", { n: v.split(",").length, labels: v.split(",").map(gradeLabel).join(", ") })])} />`}
    ${form.type === "score" &&
    html`<${Field} id="d-max-score" error=${errors["d-max-score"]} label=${t("debateform.max_score")} hint=${t("debateform.max_score_hint")}>
      <input type="number" inputmode="numeric" id="d-max-score" min="1" max="10" value=${form.max_score} ...${tie("d-max-score", true)}
        onInput=${(e) => set("max_score")(e.target.value)} />
    </${Field}>`}
    ${form.type === "dot" &&
    html`<${Field} id="d-points" error=${errors["d-points"]} label=${t("debateform.points_per_voter")} hint=${t("debateform.points_per_voter_hint")}>
      <input type="number" inputmode="numeric" id="d-points" min="1" max="100" value=${form.points_per_voter} ...${tie("d-points", true)}
        onInput=${(e) => set("points_per_voter")(e.target.value)} />
    </${Field}>`}
    ${form.type === "poll" &&
    html`<div class="pair">
      <${Field} id="d-min" error=${errors["d-min"]} label=${t("debateform.min_choices")}>
        <input type="number" inputmode="numeric" id="d-min" ...${tie("d-min")} min="1" max="20" value=${form.min_choices}
          onInput=${(e) => set("min_choices")(e.target.value)} />
      </${Field}>
      <${Field} id="d-max" error=${errors["d-max"]} label=${t("debateform.max_choices")}>
        <input type="number" inputmode="numeric" id="d-max" ...${tie("d-max")} min="1" max="20" value=${form.max_choices}
          onInput=${(e) => set("max_choices")(e.target.value)} />
      </${Field}>
    </div>`}
    ${counted &&
    html`<${Check} id="d-secret" label=${t("manage.secret")} checked=${form.secret} onChange=${set("secret")} />
      <p class="hint">${t("debateform.secret_hint")}</p>`}
    ${form.type !== "none" &&
    html`<${Select} id="d-results" label=${t("manage.results")} value=${form.results_visibility}
      onChange=${set("results_visibility")}
      options=${["live", "after_vote", "after_close"].map((v) => [v, t(`results_visibility.${v}`)])} />`}
    ${form.type !== "none" && !(counted && form.secret) &&
    html`<${Check} id="d-change" label=${form.type === "petition" ? t("debateform.allow_unsign") : t("debateform.allow_change")}
      checked=${form.allow_change} onChange=${set("allow_change")} />`}
    ${counted &&
    html`<${Field} id="d-quorum" error=${errors["d-quorum"]} label=${t("debateform.quorum")} hint=${form.type === "vote" ? t("debateform.quorum_hint") : t("debateform.quorum_hint_poll")}>
      <input type="number" inputmode="numeric" id="d-quorum" min="1" value=${form.quorum} ...${tie("d-quorum", true)}
        onInput=${(e) => set("quorum")(e.target.value)} />
    </${Field}>`}
    ${form.type === "vote" &&
    html`<${Field} id="d-threshold" error=${errors["d-threshold"]} label=${t("debateform.threshold")} hint=${t("debateform.threshold_hint")}>
      <input type="number" inputmode="decimal" id="d-threshold" min="1" max="100" step="any" value=${form.threshold}
        ...${tie("d-threshold", true)} onInput=${(e) => set("threshold")(e.target.value)} />
    </${Field}>`}
    ${form.type === "petition" &&
    html`<${Field} id="d-goal" error=${errors["d-goal"]} label=${t("debateform.goal")} hint=${t("debateform.goal_hint")}>
      <input type="number" inputmode="numeric" id="d-goal" min="1" value=${form.goal} ...${tie("d-goal", true)}
        onInput=${(e) => set("goal")(e.target.value)} />
    </${Field}>`}
    ${form.type !== "none" &&
    html`<${Check} id="d-turnout" label=${t("debateform.show_turnout")} checked=${form.show_turnout} onChange=${set("show_turnout")} />`}
    <p class="summary" aria-live="polite">${decisionSummary(form)}</p>`;
}

// Changing the kind keeps what was typed and sets the kind's own default visibility.
export function withType(form, type) {
  return { ...form, type, results_visibility: type === "petition" ? "live" : form.type === "petition" ? "after_close" : form.results_visibility };
}
