// Every call to the Hub's API: same origin, the reader's language, their token if any.
// A refusal throws an ApiError carrying the API's own message (in that language).
import { language, t } from "./i18n.js";
import { getToken } from "./session.js";

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || [];
  }
}

export async function api(path, { method = "GET", body, idempotencyKey } = {}) {
  const headers = { Accept: "application/json", "Accept-Language": language() };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(`/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", t("error.network"));
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    // not JSON: a proxy's page, an empty body
  }
  if (!response.ok) {
    const error = data && data.error;
    throw new ApiError(
      response.status,
      (error && error.code) || "unexpected",
      (error && error.message) || t("error.unexpected"),
      error && error.details,
    );
  }
  return data;
}

// A file from the API (an export, results as CSV): the same request as api() with the
// Accept asked for, answered as {blob, filename} (the name from Content-Disposition, else
// `fallback`); a refusal throws the same ApiError.
export async function apiFile(path, { accept = "*/*", fallback = "download" } = {}) {
  const headers = { Accept: accept, "Accept-Language": language() };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(`/v1${path}`, { headers });
  } catch {
    throw new ApiError(0, "network", t("error.network"));
  }
  if (!response.ok) {
    let error = null;
    try {
      error = (await response.json()).error;
    } catch {
      // not JSON
    }
    throw new ApiError(
      response.status,
      (error && error.code) || "unexpected",
      (error && error.message) || t("error.unexpected"),
      error && error.details,
    );
  }
  const named = /filename="?([^";]+)"?/i.exec(response.headers.get("Content-Disposition") || "");
  let blob;
  try {
    blob = await response.blob();
  } catch {
    throw new ApiError(0, "network", t("error.network"));
  }
  return { blob, filename: named ? named[1] : fallback };
}

// A new key for each new creating request; the caller keeps it for that request's retries.
export function newIdempotencyKey() {
  return crypto.randomUUID();
}

export const enc = encodeURIComponent;
