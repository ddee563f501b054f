// "/consultations/{id}/access": who shares the consultation and who holds a role in it, for
// the host's admins. Two requests: the consultation and its grants (refused to anyone else:
// the API's message shows); then, for the pickers only, the directory and the host's members.
import { html, useState, useEffect } from "../lib.js";
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
  return html`<p class="back"><a href=${`/consultations/${enc(consultation.id)}`}>${t("tools.back_consultation", { title: consultation.title })}</a></p>
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
  // Partners beyond the directory's first page are named by reading each (an unlisted one
  // stays shown by its id).
  const [named, setNamed] = useState({});
  useEffect(() => {
    if (!pickers.data) return;
    const known = new Set([...directory.map((g) => g.id), ...Object.keys(named)]);
    const missing = consultation.partners.map((p) => p.group_id).filter((g) => !known.has(g));
    if (missing.length === 0) return;
    Promise.all(missing.map((g) => api(`/groups/${enc(g)}`).catch(() => null))).then((found) =>
      setNamed((n) => ({ ...n, ...Object.fromEntries(found.filter(Boolean).map((g) => [g.id, g])) })),
    );
  }, [pickers.data, consultation]);
  const groups = [...directory, ...Object.values(named).filter((g) => !directory.some((d) => d.id === g.id))];
  return html`<${Partners} consultation=${consultation} directory=${groups} onChange=${onChange} />
    <${Grants} consultation=${consultation} grants=${grants} members=${members} onChange=${onChange} />`;
}
