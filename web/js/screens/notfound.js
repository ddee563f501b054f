import { html } from "../lib.js";
import { t } from "../i18n.js";
import { useScreenTitle } from "../ui.js";

export function NotFound() {
  useScreenTitle(t("notfound.title"));
  return html`<h1>${t("notfound.title")}</h1>
    <p>${t("notfound.text")}</p>
    <p><a href="/">${t("notfound.home")}</a></p>`;
}
