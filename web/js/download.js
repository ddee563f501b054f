// A file the API makes for the reader (their data, a consultation's results): a button
// fetches it with the reader's token (a plain link could not send it), then the browser
// saves it from a blob: address (an <a download>, clicked once for the reader and left in
// the page in case the browser did not start the download). The Content-Security-Policy
// does not govern downloads, so blob: needs no exception (the ballot receipt does the same).
import { html, useState, useEffect, useRef } from "./lib.js";
import { apiFile } from "./api.js";
import { t } from "./i18n.js";
import { Alert } from "./ui.js";

// [{url, filename} | null, fetch(), busy, error]: the last file fetched, its blob: address
// given back when another replaces it or the screen goes.
export function useDownload(path, { accept, fallback }) {
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => () => file && URL.revokeObjectURL(file.url), [file]);
  const fetchFile = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const { blob, filename } = await apiFile(path, { accept, fallback });
      setFile({ url: URL.createObjectURL(blob), filename, fresh: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return [file, fetchFile, busy, error];
}

// One button and what it says: "Préparation…", then the file's name with a link to save it
// again, or the API's refusal.
export function DownloadButton({ path, accept, fallback, label }) {
  const [file, fetchFile, busy, error] = useDownload(path, { accept, fallback });
  const link = useRef(null);
  useEffect(() => {
    if (file && file.fresh && link.current) {
      file.fresh = false;
      link.current.click(); // the download starts at once; the link stays for a second try
    }
  }, [file]);
  return html`<div class="download">
    <button type="button" class="secondary" disabled=${busy} onClick=${fetchFile}>${label}</button>
    <p role="status" class="note">
      ${busy && t("download.preparing")}
      ${!busy && file &&
      html`${t("download.ready", { file: file.filename })}${" "}
        <a ref=${link} href=${file.url} download=${file.filename}>${t("download.save_again", { file: file.filename })}</a>`}
    </p>
    <${Alert} error=${error} />
  </div>`;
}
