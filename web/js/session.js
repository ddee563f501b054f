// The signed-in reader's token: sessionStorage["hub.token"] (put there by the sign-in page),
// never in a URL. Signing out removes it.
const KEY = "hub.token";
const listeners = new Set();

export function getToken() {
  try {
    return sessionStorage.getItem(KEY) || null;
  } catch {
    return null;
  }
}

export function signOut() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
  listeners.forEach((listener) => listener());
}

export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// /config.json says where "Se connecter" leads ({"sign_in": "/dev/sign-in"} locally).
let config = { sign_in: "/dev/sign-in" };

export async function loadConfig() {
  try {
    const response = await fetch("/config.json");
    if (response.ok) config = { ...config, ...(await response.json()) };
  } catch {
    // keep the default
  }
}

export function signInUrl() {
  return config.sign_in;
}

// The signed-in reader's user id (the token's `sub`), to offer what is theirs (edit their
// comments, their debates). Only a hint for the screen: the API decides.
export function myId() {
  const token = getToken();
  if (!token) return null;
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)).sub || null;
  } catch {
    return null;
  }
}
