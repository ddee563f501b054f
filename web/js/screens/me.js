// "/me": who the reader is to the Hub, and their associations.
import { html } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { getToken, signInUrl } from "../session.js";
import { useLoad, useScreenTitle, Alert } from "../ui.js";

export function Me() {
  const signedIn = Boolean(getToken());
  const [state] = useLoad(() => (signedIn ? api("/me") : Promise.resolve(null)));
  useScreenTitle(state.loading ? null : t("me.title"));
  if (!signedIn)
    return html`<h1>${t("me.title")}</h1>
      <p>${t("me.signed_out")}</p>
      <p><a href=${signInUrl()}>${t("me.sign_in")}</a></p>`;
  if (state.loading) return html`<h1>${t("me.title")}</h1><p class="loading">${t("loading")}</p>`;
  if (state.error) return html`<h1>${t("me.title")}</h1><${Alert} error=${state.error} />`;
  const me = state.data;
  return html`<h1>${t("me.title")}</h1>
    <dl class="facts">
      <dt>${t("me.name")}</dt><dd>${me.display_name}</dd>
      <dt>${t("me.id")}</dt><dd>${me.id}</dd>
    </dl>
    <h2>${t("me.groups")}</h2>
    ${me.groups.length === 0
      ? html`<p>${t("me.groups_none")}</p>`
      : html`<ul class="cards">
          ${me.groups.map(
            (g) => html`<li class="card">
              <a class="card-title" href=${`/groups/${enc(g.id)}`}>${g.name}</a>
              <p class="meta">${t(`role.${g.role}`)} · ${t("members", { count: g.member_count })}</p>
            </li>`,
          )}
        </ul>`}
    ${me.grants.length > 0 &&
    html`<h2>${t("me.grants")}</h2>
      <ul class="cards">
        ${me.grants.map(
          (g) => html`<li class="card">
            <a class="card-title" href=${`/consultations/${enc(g.consultation_id)}`}>${g.title}</a>
            <p class="meta">${t(`role.${g.role}`)}</p>
          </li>`,
        )}
      </ul>`}`;
}
