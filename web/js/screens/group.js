// "/groups/{id}": the association, its description, members and consultations.
import { html } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { useLoad, useScreenTitle, Alert, Paragraphs, LoadingScreen, ErrorScreen, StatusBadge, Dates } from "../ui.js";

export function Group({ id }) {
  const [state, reload] = useLoad(async () => {
    const [group, consultations] = await Promise.all([
      api(`/groups/${enc(id)}`),
      api(`/groups/${enc(id)}/consultations`).then(
        (page) => ({ items: page.items }),
        (error) => ({ error }),
      ),
    ]);
    return { group, consultations };
  });
  useScreenTitle(state.data && state.data.group.name);
  if (state.loading) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  const { group, consultations } = state.data;
  return html`<h1>${group.name}</h1>
    <p class="meta">
      ${t("members", { count: group.member_count })}
      ${group.my_role && html` · ${t("group.my_role", { role: t(`role.${group.my_role}`) })}`}
    </p>
    <${Paragraphs} text=${group.description} />
    <h2>${t("group.consultations")}</h2>
    <${Alert} error=${consultations.error} />
    ${consultations.items &&
    (consultations.items.length === 0
      ? html`<p>${t("group.consultations_none")}</p>`
      : html`<ul class="cards">
          ${consultations.items.map(
            (c) => html`<li class="card">
              <a class="card-title" href=${`/consultations/${enc(c.id)}`}>${c.title}</a>
              <p class="meta"><${StatusBadge} status=${c.status} /> <${Dates} item=${c} /></p>
            </li>`,
          )}
        </ul>`)}`;
}
