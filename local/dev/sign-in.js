// The local stage's sign-in (local/front.py): `/dev/sign-in?as=USER` gets a dev token for
// USER, keeps it in this tab's session storage where the web client reads it, and returns
// to `/` without leaving the user id in the history.
const user = new URLSearchParams(location.search).get("as");
const status = document.getElementById("status");

async function signIn(as) {
  const response = await fetch("/dev/token?as=" + encodeURIComponent(as), {
    headers: { Accept: "application/json" },
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error?.message ?? response.statusText);
  sessionStorage.setItem("hub.token", body.token);
  location.replace("/");
}

if (user !== null) {
  document.getElementById("as").value = user;
  signIn(user).catch((error) => {
    status.textContent = "Connexion impossible : " + error.message;
  });
}
