// The one library: htm's standalone Preact build (vendored by `make vendor-web`).
// Every module imports it from here, so a change of library touches one line.
export {
  html,
  render,
  useState,
  useEffect,
  useRef,
  useCallback,
} from "/vendor/htm-preact/standalone.module.js";
