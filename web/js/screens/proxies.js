// Proxies (procurations, issue 19): a consultation's setting in its form; on its page "Ma
// procuration" (give it to a member, see who holds it and whether it served, revoke it) and
// "Procurations reçues" (each giver, with the debates to vote in for them); on a debate's
// page, one ballot form per giver ("Voter pour Alice"); on /me, the proxies one holds.
// The API decides everything; its refusals show with its own message.
import { html, useState } from "../lib.js";
import { api, enc, ApiError } from "../api.js";
import { t, formatDate } from "../i18n.js";
import { getToken, myId } from "../session.js";
import { useLoad, Alert } from "../ui.js";
import { Field, describedBy } from "../forms.js";

const MAX_CHOICES = [1, 2, 3, 4, 5];
const OTHER = ":other"; // the "another member, by id" choice (not a member id shown)

// ---- The consultation form ----

export function proxiesToForm(c) {
  const p = c.proxies || {};
  return { proxies_allowed: Boolean(p.allowed), proxies_max: String(p.max_per_holder || 1) };
}

export function proxiesBody(form) {
  return { allowed: Boolean(form.proxies_allowed), max_per_holder: Number(form.proxies_max) || 1 };
}

export function proxiesChanged(before, form) {
  const a = proxiesBody(before);
  const b = proxiesBody(form);
  return a.allowed !== b.allowed || (b.allowed && a.max_per_holder !== b.max_per_holder);
}

export function proxyFieldNames() {
  return {
    proxies: ["c-proxies", t("proxy.allow")],
    "proxies.allowed": ["c-proxies", t("proxy.allow")],
    "proxies.max_per_holder": ["c-proxies-max", t("proxy.max")],
  };
}

export function ProxyFields({ form, set, errors = {} }) {
  return html`<fieldset class="proxy-settings" aria-describedby="c-proxies-hint">
    <legend>${t("proxy.legend")}</legend>
    <p class="hint" id="c-proxies-hint">${t("proxy.settings_hint")}</p>
    ${errors["c-proxies"] && html`<p class="field-error">${errors["c-proxies"]}</p>`}
    <label class="choice" for="c-proxies">
      <input type="checkbox" id="c-proxies" checked=${form.proxies_allowed}
        onChange=${(e) => set("proxies_allowed")(e.currentTarget.checked)} />
      ${t("proxy.allow")}
    </label>
    ${form.proxies_allowed &&
    html`<${Field} id="c-proxies-max" error=${errors["c-proxies-max"]} label=${t("proxy.max")} hint=${t("proxy.max_hint")}>
      <select id="c-proxies-max" value=${form.proxies_max}
        aria-describedby=${describedBy("c-proxies-max", { hint: true, error: Boolean(errors["c-proxies-max"]) })}
        onChange=${(e) => set("proxies_max")(e.currentTarget.value)}>
        ${MAX_CHOICES.map((n) => html`<option value=${String(n)} selected=${String(n) === form.proxies_max}>${n}</option>`)}
      </select>
    </${Field}>`}
  </fieldset>`;
}

// ---- The consultation's page ----

function notFoundAsNull(error) {
  if (error instanceof ApiError && error.status === 404) return null;
  throw error;
}

// Whether the reader may take part, as the debates' can_vote says (only a hint: the API decides).
function mayTakePart(debates) {
  const decided = debates.filter((d) => d.function && d.function.type !== "none");
  if (decided.length === 0) return true;
  return decided.some((d) => d.my_ballot || !d.can_vote || d.can_vote.allowed ||
    !["not_eligible", "unauthenticated", "blocked"].includes(d.can_vote.reason));
}

// "Ma procuration" and "Procurations reçues": two requests (my proxy, the proxies I hold
// here), at once, only for a signed-in reader where proxies are allowed and not closed.
export function ConsultationProxies({ consultation: c, debates }) {
  const open = c.status === "scheduled" || c.status === "open";
  if (!getToken() || !c.proxies || !c.proxies.allowed || !open) return null;
  return html`<${ProxiesPanel} key=${c.id} consultation=${c} debates=${debates} />`;
}

function ProxiesPanel({ consultation: c, debates }) {
  const [state, reload, setData] = useLoad(async () => {
    const [mine, held] = await Promise.all([
      api(`/consultations/${enc(c.id)}/proxy`).catch(notFoundAsNull),
      api(`/me/proxies?consultation_id=${enc(c.id)}&limit=100`),
    ]);
    return { mine, held: held.items };
  });
  if (state.loading && !state.data) return html`<p class="loading">${t("loading")}</p>`;
  if (state.error)
    return html`<section><h2>${t("proxy.mine_title")}</h2><${Alert} error=${state.error} />
      <p><button type="button" onClick=${reload}>${t("retry")}</button></p></section>`;
  const { mine, held } = state.data;
  const setMine = (proxy) => setData((data) => ({ ...data, mine: proxy }));
  return html`${(mine || mayTakePart(debates)) && html`<${MyProxy} consultation=${c} proxy=${mine} onChange=${setMine} />`}
    ${held.length > 0 && html`<${HeldHere} consultation=${c} proxies=${held} debates=${debates} max=${c.proxies.max_per_holder} />`}`;
}

function MyProxy({ consultation: c, proxy, onChange }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [said, setSaid] = useState("");
  const revoke = async () => {
    setBusy(true);
    setError(null);
    setSaid("");
    try {
      await api(`/consultations/${enc(c.id)}/proxy`, { method: "DELETE" });
      setSaid(t("proxy.revoked"));
      onChange(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="proxy panel" aria-labelledby="proxy-mine-title">
    <h2 id="proxy-mine-title">${t("proxy.mine_title")}</h2>
    <p role="status" class="proxy-said">${said}</p>
    ${proxy
      ? html`<p class="proxy-state">${t("proxy.given_to", { name: proxy.holder.name, date: formatDate(proxy.given_at) })}</p>
          <p>${proxy.used_at ? t("proxy.used", { name: proxy.holder.name, date: formatDate(proxy.used_at) }) : t("proxy.unused", { name: proxy.holder.name })}</p>
          <p class="hint">${t("proxy.own_wins")}</p>
          <${Alert} error=${error} />
          <p><button type="button" class="secondary" disabled=${busy} onClick=${revoke}>${t("proxy.revoke")}</button></p>`
      : html`<p>${t("proxy.none")}</p>
          <${GiveProxy} consultation=${c} onGiven=${(p) => { setSaid(""); onChange(p); }} />`}
  </section>`;
}

// The holder: picked among the host's members when the reader may read them (one request,
// the first 100), else typed as a user id.
function GiveProxy({ consultation: c, onGiven }) {
  const me = myId();
  const [members] = useLoad(() =>
    api(`/groups/${enc(c.group.id)}/members?limit=100`).then(
      (page) => ({ list: page.items.filter((m) => m.id !== me && m.role !== "observer"), more: Boolean(page.next) }),
      () => null,
    ),
  );
  const [holder, setHolder] = useState("");
  const [typed, setTyped] = useState(false); // a member beyond the first 100: by id
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  if (members.loading) return html`<p class="loading">${t("loading")}</p>`;
  const list = !typed && members.data && members.data.list.length > 0 ? members.data.list : null;
  const give = async (event) => {
    event.preventDefault();
    const id = holder.trim();
    if (!id) return setError(new ApiError(0, "no_holder", t("proxy.pick")));
    setBusy(true);
    setError(null);
    try {
      onGiven(await api(`/consultations/${enc(c.id)}/proxy`, { method: "PUT", body: { holder: id } }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
    return undefined;
  };
  const invalid = Boolean(error && error.details && error.details.some((d) => d.field === "holder"));
  return html`<form class="proxy-give" noValidate onSubmit=${give}>
    <${Alert} error=${error} fields=${{ holder: ["proxy-holder", t("proxy.holder")] }} />
    ${list
      ? html`<${Field} id="proxy-holder" label=${t("proxy.holder")} hint=${t("proxy.holder_hint")}>
          <select id="proxy-holder" value=${holder} aria-invalid=${invalid ? "true" : undefined}
            aria-describedby="proxy-holder-hint"
            onChange=${(e) => (e.currentTarget.value === OTHER ? (setHolder(""), setTyped(true)) : setHolder(e.currentTarget.value))}>
            <option value="">${t("proxy.choose")}</option>
            ${list.map((m) => html`<option value=${m.id} selected=${m.id === holder}>${m.name}</option>`)}
            ${members.data.more && html`<option value=${OTHER}>${t("proxy.other")}</option>`}
          </select>
        </${Field}>`
      : html`<${Field} id="proxy-holder" label=${t("proxy.holder_id")} hint=${t("proxy.holder_id_hint")}>
          <input type="text" id="proxy-holder" value=${holder} autocomplete="off" spellcheck="false"
            aria-invalid=${invalid ? "true" : undefined} aria-describedby="proxy-holder-hint"
            onInput=${(e) => setHolder(e.currentTarget.value)} />
        </${Field}>`}
    <button type="submit" class="primary" disabled=${busy}>${t("proxy.give")}</button>
  </form>`;
}

// On the consultation's page: each giver, and the debates to vote in for them; a proxy not
// used yet may be given back (DELETE /me/proxies/{consultation}/{giver}).
function HeldHere({ consultation: c, proxies: all, debates, max }) {
  const decided = debates.filter((d) => d.function && d.function.type !== "none");
  const [back, setBack] = useState([]); // givers whose proxy was given back
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [said, setSaid] = useState("");
  const proxies = all.filter((p) => !back.includes(p.giver.id));
  const giveBack = async (p) => {
    setBusy(true);
    setError(null);
    try {
      await api(`/me/proxies/${enc(c.id)}/${enc(p.giver.id)}`, { method: "DELETE" });
      setBack((ids) => [...ids, p.giver.id]);
      setSaid(t("proxy.given_back", { name: p.giver.name }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="proxy panel" aria-labelledby="proxy-held-title">
    <h2 id="proxy-held-title">${t("proxy.held_title")}</h2>
    <p role="status" class="proxy-said">${said}</p>
    <${Alert} error=${error} />
    <p class="hint">${t("proxy.held_count", { count: proxies.length, max })}</p>
    ${proxies.map(
      (p) => html`<div class="proxy-giver" key=${p.giver.id}>
        <h3>${p.giver.name}</h3>
        <p class="meta">${t("proxy.gave_you", { date: formatDate(p.given_at) })}</p>
        ${decided.length > 0 &&
        html`<ul aria-label=${t("proxy.vote_for", { name: p.giver.name })}>
          ${decided.map(
            (d) => html`<li key=${d.id}><a href=${`/debates/${enc(d.id)}`}>${t("proxy.vote_in", { name: p.giver.name, title: d.title })}</a></li>`,
          )}
        </ul>`}
        ${!p.used_at &&
        html`<p><button type="button" class="secondary" disabled=${busy} onClick=${() => giveBack(p)}>${t("proxy.give_back", { name: p.giver.name })}</button></p>`}
      </div>`,
    )}
  </section>`;
}

// ---- A debate's page: one ballot per giver ----

// The proxies the reader holds for this debate's consultation (one request), then, for each
// giver, the ballot already cast for them (GET .../ballot?for=, 404: none).
export function ProxyBallots({ debate, Ballot, onHeld, onCast }) {
  if (!getToken() || debate.function.type === "none" || debate.status === "draft") return null;
  if (!debate.proxies_allowed) return null; // nobody holds a proxy here: no request
  // Who may not take part may not vote for anyone else either: no request.
  if (!debate.my_ballot && debate.can_vote && debate.can_vote.reason === "not_eligible") return null;
  return html`<${HeldBallots} key=${debate.id} debate=${debate} Ballot=${Ballot} onHeld=${onHeld} onCast=${onCast} />`;
}

function HeldBallots({ debate, Ballot, onHeld, onCast }) {
  const [state] = useLoad(async () => {
    const held = await api(`/me/proxies?consultation_id=${enc(debate.consultation_id)}&limit=100`);
    const ballots = await Promise.all(
      held.items.map((p) => api(`/debates/${enc(debate.id)}/ballot?for=${enc(p.giver.id)}`).catch(notFoundAsNull)),
    );
    if (held.items.length > 0) onHeld(true);
    return held.items.map((p, i) => ({ proxy: p, ballot: ballots[i] }));
  });
  if (!state.data || state.data.length === 0) return state.error ? html`<${Alert} error=${state.error} />` : null;
  return html`<section class="proxy-ballots" aria-labelledby="proxy-ballots-title">
    <h2 id="proxy-ballots-title">${t("proxy.held_title")}</h2>
    <p class="hint">${t("proxy.ballots_hint")}</p>
    ${state.data.map(
      ({ proxy, ballot }) => html`<${Ballot} key=${proxy.giver.id} debate=${debate} giver=${proxy.giver} cast=${ballot} onChange=${onCast} />`,
    )}
  </section>`;
}

// ---- /me: the proxies I hold ----

export function HeldProxies() {
  const [state, reload] = useLoad(() => api("/me/proxies?limit=100"));
  if (state.loading) return null;
  if (state.error)
    return html`<h2>${t("proxy.held_title")}</h2><${Alert} error=${state.error} />
      <p><button type="button" onClick=${reload}>${t("retry")}</button></p>`;
  const items = state.data.items;
  if (items.length === 0) return null;
  return html`<h2>${t("proxy.held_title")}</h2>
    <ul class="cards">
      ${items.map(
        (p) => html`<li class="card" key=${`${p.consultation_id}-${p.giver.id}`}>
          <a class="card-title" href=${`/consultations/${enc(p.consultation_id)}`}>${p.consultation_title || p.consultation_id}</a>
          <p class="meta">${t("proxy.from", { name: p.giver.name, date: formatDate(p.given_at) })}${p.used_at ? ` · ${t("proxy.used_short")}` : ""}</p>
        </li>`,
      )}
    </ul>`;
}
