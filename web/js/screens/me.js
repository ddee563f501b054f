// "/me": who the reader is to the Hub (GET /v1/me, one request) and what they chose: the
// name shown beside what they write from now on and their language (PATCH /v1/me, only
// what changed); then their associations with their role, and the consultations where
// they were given one.
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { getToken, signInUrl } from "../session.js";
import { useLoad, useScreenTitle, Alert } from "../ui.js";
import { Field, Select, useSubmit } from "../forms.js";
import { DownloadButton } from "../download.js";
import { HeldProxies } from "./proxies.js";

export function Me() {
  const signedIn = Boolean(getToken());
  const [state, reload, setData] = useLoad(() => (signedIn ? api("/me") : Promise.resolve(null)));
  useScreenTitle(state.loading ? null : t("me.title"));
  if (!signedIn)
    return html`<h1>${t("me.title")}</h1>
      <p>${t("me.signed_out")}</p>
      <p><a href=${signInUrl()}>${t("me.sign_in")}</a></p>`;
  if (state.loading) return html`<h1>${t("me.title")}</h1><p class="loading">${t("loading")}</p>`;
  if (state.error)
    return html`<h1>${t("me.title")}</h1><${Alert} error=${state.error} />
      <p><button type="button" onClick=${reload}>${t("retry")}</button></p>`;
  const me = state.data;
  return html`<h1>${t("me.title")}</h1>
    <dl class="facts">
      <dt>${t("me.name")}</dt><dd class="me-name">${me.display_name}</dd>
      <dt>${t("me.id")}</dt><dd>${me.id}</dd>
      <dt>${t("me.email")}</dt><dd>${me.email || t("me.email_none")}</dd>
      <dt>${t("me.identity")}</dt><dd>${me.identity_verified ? t("me.identity_verified") : t("me.identity_unverified")}</dd>
    </dl>
    <${Profile} me=${me} onSaved=${(profile) => setData((data) => ({ ...data, ...profile }))} />
    <p><a href="/me/notifications/settings">${t("notifs.settings_link")}</a></p>
    <h2>${t("me.groups")}</h2>
    ${me.groups.length === 0
      ? html`<p>${t("me.groups_none")}</p>`
      : html`<ul class="cards">
          ${me.groups.map(
            (g) => html`<li class="card">
              <a class="card-title" href=${`/groups/${enc(g.id)}`}>${g.name}</a>
              <p class="meta">${t("group.my_role", { role: t(`role.${g.role}`) })} · ${t("members", { count: g.member_count })}</p>
            </li>`,
          )}
        </ul>`}
    ${me.grants.length > 0 &&
    html`<h2>${t("me.grants")}</h2>
      <ul class="cards">
        ${me.grants.map(
          (g) => html`<li class="card">
            <a class="card-title" href=${`/consultations/${enc(g.consultation_id)}`}>${g.title}</a>
            <p class="meta">${t("group.my_role", { role: t(`role.${g.role}`) })}</p>
          </li>`,
        )}
      </ul>`}
    <${HeldProxies} />
    <${YourData} />`;
}

// "Vos données": everything the Hub holds about the reader, as JSON or as a ZIP with a
// README (GET /v1/me/export), and the way to the account's deletion (/me/delete).
function YourData() {
  return html`<section aria-labelledby="data-title" class="your-data">
    <h2 id="data-title">${t("privacy.data_title")}</h2>
    <p>${t("privacy.data_text")}</p>
    <${ExportButtons} />
    <h2>${t("privacy.delete_title")}</h2>
    <p>${t("privacy.delete_intro")}</p>
    <p><a href="/me/delete">${t("privacy.delete_link")}</a></p>
  </section>`;
}

// "Télécharger mes données (JSON)" and "(ZIP)"; also on /me/delete, to keep a copy first.
export function ExportButtons() {
  const day = new Date().toISOString().slice(0, 10);
  return html`<${DownloadButton} path="/me/export" accept="application/json" fallback=${`hub-export-${day}.json`}
      label=${t("privacy.download_json")} />
    <${DownloadButton} path="/me/export?format=zip" accept="application/zip" fallback=${`hub-export-${day}.zip`}
      label=${t("privacy.download_zip")} />`;
}

// The name and language the reader chose. An emptied name goes back to their account's
// (null); nothing changed sends nothing.
function Profile({ me, onSaved }) {
  const [form, setForm] = useState({ display_name: me.display_name, locale: me.locale || "" });
  const [said, setSaid] = useState("");
  const [send, busy, error] = useSubmit();
  const set = (name) => (value) => {
    setSaid("");
    setForm((f) => ({ ...f, [name]: value }));
  };
  const submit = async (event) => {
    event.preventDefault();
    const name = form.display_name.trim();
    const body = {};
    if (name !== me.display_name) body.display_name = name === "" ? null : form.display_name;
    if ((form.locale || null) !== me.locale) body.locale = form.locale || null;
    if (Object.keys(body).length === 0) {
      setSaid(t("me.unchanged"));
      return;
    }
    const profile = await send(() => api("/me", { method: "PATCH", body }));
    if (profile) {
      setForm({ display_name: profile.display_name, locale: profile.locale || "" });
      setSaid(t("me.saved"));
      onSaved(profile);
    }
  };
  return html`<form class="form" noValidate onSubmit=${submit} aria-labelledby="profile-title">
    <h2 id="profile-title">${t("me.profile")}</h2>
    <p role="status" class="note done">${said}</p>
    <${Alert} error=${error} fields=${{ display_name: ["me-name", t("me.name")], locale: ["me-locale", t("me.locale")] }} />
    <${Field} id="me-name" label=${t("me.name")} hint=${t("me.name_hint")}>
      <input type="text" id="me-name" value=${form.display_name} maxLength="80" autocomplete="nickname"
        aria-describedby="me-name-hint" onInput=${(e) => set("display_name")(e.target.value)} />
    </${Field}>
    <${Select} id="me-locale" label=${t("me.locale")} value=${form.locale} onChange=${set("locale")} hint=${t("me.locale_hint")}
      options=${[["", t("me.locale_none")], ["fr", "Français"], ["en", "English"]]} />
    <button type="submit" class="primary" disabled=${busy}>${t("me.submit")}</button>
  </form>`;
}
