// A consultation's results as files, once final (GET /v1/consultations/{id}/results, CSV
// for a spreadsheet or JSON), for whoever may read the consultation; and, when it is public,
// its open data (GET .../open-data: debates, results and arguments under per-consultation
// pseudonyms; ?format=csv: the arguments alone) with its licence. The licence is named in
// the document itself, so it is read only when the reader opens "Données ouvertes": the
// page keeps its two requests.
import { html, useState } from "../lib.js";
import { api, enc } from "../api.js";
import { t } from "../i18n.js";
import { Alert } from "../ui.js";
import { DownloadButton } from "../download.js";

export function Publication({ consultation: c }) {
  if (!c.finalised_at) {
    if (c.status !== "closed") return null;
    return html`<section aria-labelledby="files-title" class="publication">
      <h2 id="files-title">${t("results_files.title")}</h2>
      <p>${t("results_files.not_final")}</p>
    </section>`;
  }
  const base = `/consultations/${enc(c.id)}`;
  return html`<section aria-labelledby="files-title" class="publication">
    <h2 id="files-title">${t("results_files.title")}</h2>
    <p>${t("results_files.text")}</p>
    <${DownloadButton} path=${`${base}/results?format=csv`} accept="text/csv" fallback=${`results-${c.id}.csv`}
      label=${t("results_files.csv")} />
    <${DownloadButton} path=${`${base}/results`} accept="application/json" fallback=${`results-${c.id}.json`}
      label=${t("results_files.json")} />
    ${c.visibility === "public" && html`<${OpenData} consultation=${c} />`}
  </section>`;
}

function OpenData({ consultation: c }) {
  const [state, setState] = useState({ loading: false, licence: null, error: null });
  const address = `/v1/consultations/${enc(c.id)}/open-data`;
  const toggled = (event) => {
    if (!event.currentTarget.open || state.loading || state.licence) return;
    setState({ loading: true, licence: null, error: null });
    api(`/consultations/${enc(c.id)}/open-data`).then(
      (document) => setState({ loading: false, licence: document.licence || null, error: null }),
      (error) => setState({ loading: false, licence: null, error }),
    );
  };
  return html`<details class="open-data" onToggle=${toggled}>
    <summary>${t("open_data.summary")}</summary>
    <p>${t("open_data.text")}</p>
    <ul class="tool-links">
      <li><a href=${address}>${t("open_data.link")}</a></li>
      <li><a href=${`${address}?format=csv`} download=${`arguments-${c.id}.csv`}>${t("open_data.csv")}</a></li>
    </ul>
    <p class="meta">${t("open_data.address")} <code>${location.origin}${address}</code></p>
    ${state.loading && html`<p class="loading">${t("loading")}</p>`}
    ${state.licence &&
    html`<p>${t("open_data.licence")}${" "}
      ${state.licence.url ? html`<a href=${state.licence.url} rel="noopener noreferrer">${state.licence.name}</a>` : state.licence.name}</p>`}
    <${Alert} error=${state.error} />
  </details>`;
}
