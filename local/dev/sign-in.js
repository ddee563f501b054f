// The local stage's sign-in (local/front.py): `/dev/sign-in?as=USER` gets a dev token for
// USER, keeps it in this tab's session storage where the web client reads it, and returns
// to `/` without leaving the user id in the history; `&return=PATH` returns to that page of
// the site instead (a path of this origin only, as the client's own sign-in does).
import { safeReturn } from "/js/session.js";

const params = new URLSearchParams(location.search);
const user = params.get("as");
const back = safeReturn(params.get("return"));
const status = document.getElementById("status");

// Both forms carry the page to return to; without one, the address stays ?as=USER.
for (const input of document.querySelectorAll('input[name="return"]')) {
  if (back === "/") input.remove();
  else input.value = back;
}

async function signIn(as) {
  const response = await fetch("/dev/token?as=" + encodeURIComponent(as), {
    headers: { Accept: "application/json" },
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error?.message ?? response.statusText);
  sessionStorage.setItem("hub.token", body.token);
  location.replace(back);
}

if (user !== null) {
  document.getElementById("as").value = user;
  signIn(user).catch((error) => {
    status.textContent = "Connexion impossible : " + error.message;
  });
}
