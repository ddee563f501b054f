// The API reference: Swagger UI (vendored beside this file by `make vendor`) renders the
// OpenAPI document found next to the page (/v1/docs -> /v1/openapi.json), and its "Try it
// out" sends requests to this deployment (the document's server is relative to it).
// A file of its own, not an inline script, so that a Content-Security-Policy can forbid those.
"use strict";

window.ui = SwaggerUIBundle({
  url: new URL("openapi.json", document.baseURI).href,
  dom_id: "#reference",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  // Shows each operation's `x-error-codes`: the refusals it may answer.
  showExtensions: true,
  displayRequestDuration: true,
  // Never send the document to the public validator: the page works offline.
  validatorUrl: null,
});
