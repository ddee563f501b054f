// "/consultations/{id}/access": who shares the consultation and who holds a role in it, for
// the host's admins. Two requests: the consultation and its grants (refused to anyone else:
// the API's message shows); then, for the pickers only, the directory and the host's members.
import { html } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { useLoad, useScreenTitle, LoadingScreen, ErrorScreen } from "../ui.js";
import { Partners } from "./partners.js";
import { Grants } from "./grants.js";

export function Access({ id }) {
  const [state, reload] = useLoad(async () => {
    const [consultation, grants] = await Promise.all([
      api(`/consultations/${enc(id)}`),
      api(`/consultations/${enc(id)}/grants?limit=100`),
    ]);
    return { consultation, grants: grants.items };
  });
  useScreenTitle(state.data ? t("access.title") : null);
  if (state.loading && !state.data) return html`<${LoadingScreen} />`;
  if (state.error) return html`<${ErrorScreen} error=${state.error} retry=${reload} />`;
  const { consultation, grants } = state.data;
  return html`<p class="back"><a href=${`/consultations/${enc(consultation.id)}`}>${consultation.title}</a></p>
    <h1>${t("access.title")}</h1>
    <${Tools} consultation=${consultation} grants=${grants} onChange=${reload} />`;
}

function Tools({ consultation, grants, onChange }) {
  const [pickers] = useLoad(async () => {
    const [directory, members] = await Promise.all([
      api("/groups?limit=100").then((page) => page.items, () => []),
      api(`/groups/${enc(consultation.group_id)}/members?limit=100`).then((page) => page.items, () => []),
    ]);
    return { directory, members };
  });
  const { directory, members } = pickers.data || { directory: [], members: [] };
  return html`<${Partners} consultation=${consultation} directory=${directory} onChange=${onChange} />
    <${Grants} consultation=${consultation} grants=${grants} members=${members} onChange=${onChange} />`;
}
