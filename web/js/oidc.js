// Signing in with OpenID Connect from the browser: the authorization code flow with PKCE
// (S256), as a public client. /sign-in calls startSignIn, the provider sends the reader back
// to /signed-in, which calls finishSignIn. The code is exchanged at config.token, on this
// site's own origin (the distribution, or `make run`, forwards it to the provider's token
// endpoint), so the Content-Security-Policy keeps connect-src 'self'.
//
// What must survive the round trip (the verifier, state, nonce and the page to return to)
// waits in this tab's sessionStorage; the ID token (what the API verifies: its `aud` is this
// client) is for the caller to keep in hub.token (session.js setToken).
import { safeReturn } from "./session.js";

const PENDING = "hub.oidc";

export class SignInError extends Error {
  // kind: "denied" (the reader said no), "state" (not the sign-in this tab started),
  // "failed" (the provider or the exchange failed)
  constructor(kind, detail, returnTo = "/") {
    super(detail || kind);
    this.kind = kind;
    this.returnTo = returnTo;
  }
}

function base64url(bytes) {
  let text = "";
  bytes.forEach((byte) => (text += String.fromCharCode(byte)));
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function random() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

function redirectUri() {
  return `${location.origin}/signed-in`;
}

export async function startSignIn(oidc, returnTo) {
  const pending = { verifier: random(), state: random(), nonce: random(), returnTo: safeReturn(returnTo) };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(oidc.authorize, location.origin);
  const params = {
    response_type: "code",
    client_id: oidc.client_id,
    redirect_uri: redirectUri(),
    scope: oidc.scope || "openid",
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await challengeOf(pending.verifier),
    code_challenge_method: "S256",
  };
  Object.entries(params).forEach(([name, value]) => url.searchParams.set(name, value));
  location.replace(url.href); // Back from the provider returns before /sign-in, not into it
}

function claimsOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload));
  } catch {
    return null;
  }
}

// Finishes the sign-in this tab started: {token, returnTo} (the page to go back to).
export async function finishSignIn(oidc, search) {
  const params = new URLSearchParams(search);
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(PENDING));
  } catch {
    pending = null;
  }
  sessionStorage.removeItem(PENDING); // one use, whatever happens
  if (!pending || !params.get("state") || params.get("state") !== pending.state) {
    throw new SignInError("state");
  }
  const back = safeReturn(pending.returnTo);
  const error = params.get("error");
  if (error) throw new SignInError(error === "access_denied" ? "denied" : "failed", error, back);
  const code = params.get("code");
  if (!code) throw new SignInError("failed", "no code", back);
  let response;
  try {
    response = await fetch(oidc.token, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectUri(),
        client_id: oidc.client_id,
        code_verifier: pending.verifier,
      }),
      cache: "no-store",
    });
  } catch {
    throw new SignInError("failed", "offline", back);
  }
  const body = response.ok ? await response.json().catch(() => ({})) : {};
  // The API verifies the ID token (its signature, issuer, audience, expiry); the nonce
  // ties it to this sign-in, so no token issued for another one is taken here.
  const claims = body.id_token ? claimsOf(body.id_token) : null;
  if (!claims || claims.nonce !== pending.nonce) throw new SignInError("failed", "token", back);
  return { token: body.id_token, returnTo: back };
}
