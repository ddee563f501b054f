// "/": the open public consultations, then the association directory (two requests, at once).
import { html } from "../lib.js";
import { api } from "../api.js";
import { t } from "../i18n.js";
import { getToken } from "../session.js";
import { useLoad, useScreenTitle, Alert, StatusBadge, Dates } from "../ui.js";

function settle(promise) {
  return promise.then(
    (data) => ({ data }),
    (error) => ({ error }),
  );
}

export function Home() {
  const [state] = useLoad(() =>
    Promise.all([settle(api("/consultations?scope=public")), settle(api("/groups"))]),
  );
  useScreenTitle(state.loading ? null : t("home.title"));
  const [consultations, groups] = state.data || [{}, {}];
  return html`<h1>${t("home.title")}</h1>
    ${state.loading
      ? html`<p class="loading">${t("loading")}</p>`
      : html`
          <${Alert} error=${consultations.error} />
          ${consultations.data &&
          (consultations.data.items.length === 0
            ? html`<p>${t("home.none")}</p>`
            : html`<ul class="cards">
                ${consultations.data.items.map(
                  (c) => html`<li class="card">
                    <a class="card-title" href=${`/consultations/${encodeURIComponent(c.id)}`}>${c.title}</a>
                    <p class="meta">${t("home.by", { group: c.group.name })}</p>
                    <p class="meta"><${StatusBadge} status=${c.status} /> <${Dates} item=${c} /></p>
                  </li>`,
                )}
              </ul>`)}
          <h2>${t("home.groups")}</h2>
          ${getToken() && html`<p><a class="button primary" href="/groups/new">${t("home.new_group")}</a></p>`}
          <${Alert} error=${groups.error} />
          ${groups.data &&
          (groups.data.items.length === 0
            ? html`<p>${t("home.groups_none")}</p>`
            : html`<ul class="cards">
                ${groups.data.items.map(
                  (g) => html`<li class="card">
                    <a class="card-title" href=${`/groups/${encodeURIComponent(g.id)}`}>${g.name}</a>
                    <p class="meta">${t("members", { count: g.member_count })}</p>
                  </li>`,
                )}
              </ul>`)}
        `}`;
}
