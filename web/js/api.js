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

// A new key for each new creating request; the caller keeps it for that request's retries.
export function newIdempotencyKey() {
  return crypto.randomUUID();
}

export const enc = encodeURIComponent;
