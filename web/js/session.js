// The signed-in reader's token: sessionStorage["hub.token"] (put there by the sign-in),
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

export function setToken(token) {
  sessionStorage.setItem(KEY, token);
  listeners.forEach((listener) => listener());
}

// Signing out forgets the token; in the cloud it also ends the session at the identity
// provider (config.oidc.logout), so that the next "Se connecter" asks again.
export function signOut() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
  listeners.forEach((listener) => listener());
  if (config.oidc && config.oidc.logout) location.assign(config.oidc.logout);
}

export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// /config.json says how "Se connecter" signs in: {"sign_in": "/dev/sign-in"} locally, or
// {"oidc": {"authorize", "token", "client_id", "scope", "logout"}} in the cloud (written by
// `make deploy` from the stack's outputs): then /sign-in starts OpenID Connect (oidc.js).
let config = { sign_in: "/dev/sign-in" };

export async function loadConfig() {
  try {
    const response = await fetch("/config.json");
    if (response.ok) config = { ...config, ...(await response.json()) };
  } catch {
    // keep the default
  }
}

export function oidcConfig() {
  return config.oidc || null;
}

// A page of this site to come back to: a path ("/" then neither "/" nor "\", and no control
// character, which browsers drop: "/\t/x" would be "//x"), else "/". The sign-in pages
// themselves lead back home.
export function safeReturn(path) {
  if (typeof path !== "string" || !/^\/(?![\/\\])/.test(path)) return "/";
  if (/[\u0000-\u001f\u007f]/.test(path)) return "/";
  if (/^\/(sign-in|signed-in|dev)(\/|\?|$)/.test(path)) return "/";
  return path;
}

// Where "Se connecter" leads: it remembers the page the reader is on (or `here`), to come
// back to it.
export function signInUrl(here = location.pathname + location.search) {
  here = safeReturn(here);
  const start = config.oidc ? "/sign-in" : config.sign_in;
  return here === "/" ? start : `${start}?return=${encodeURIComponent(here)}`;
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
