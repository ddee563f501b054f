// Bodies are written in Markdown. This renders its common part (paragraphs, line breaks,
// lists, **bold**, *italic*, [links](https://...) and bare https:// addresses) as Preact
// elements: text stays text, so nothing a writer types can become markup or script.
// Anything else (headings, HTML, images) shows as written.
import { html } from "./lib.js";

const INLINE = /(\*\*[^*\n]+\*\*|__[^_\n]+__|\*[^*\s][^*\n]*\*|_[^_\s][^_\n]*_|\[[^\]\n]+\]\(https?:\/\/[^\s)]+\)|https?:\/\/[^\s<>]*[^\s<>.,;:!?)\]'"])/g;

function link(href, text) {
  return html`<a href=${href} rel="noopener noreferrer nofollow ugc">${text}</a>`;
}

export function inline(text) {
  const out = [];
  let last = 0;
  for (const found of text.matchAll(INLINE)) {
    const token = found[0];
    if (found.index > last) out.push(text.slice(last, found.index));
    last = found.index + token.length;
    if (token.startsWith("**") || token.startsWith("__")) out.push(html`<strong>${token.slice(2, -2)}</strong>`);
    else if (token.startsWith("[")) {
      const split = token.indexOf("](");
      out.push(link(token.slice(split + 2, -1), token.slice(1, split)));
    } else if (token.startsWith("http")) out.push(link(token, token));
    else out.push(html`<em>${token.slice(1, -1)}</em>`);
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const BULLET = /^\s*[-*+]\s+/;
const NUMBER = /^\s*\d+[.)]\s+/;

// A block (lines between blank lines) is paragraphs and lists: each run of "- " or "1. "
// lines is a list, each run of other lines a paragraph (its line breaks kept).
function block(lines) {
  const runs = [];
  for (const line of lines) {
    const kind = BULLET.test(line) ? "ul" : NUMBER.test(line) ? "ol" : "p";
    const run = runs[runs.length - 1];
    if (run && run.kind === kind) run.lines.push(line);
    else runs.push({ kind, lines: [line] });
  }
  return runs.map(({ kind, lines: run }) => {
    if (kind === "ul") return html`<ul>${run.map((line) => html`<li>${inline(line.replace(BULLET, ""))}</li>`)}</ul>`;
    if (kind === "ol") return html`<ol>${run.map((line) => html`<li>${inline(line.replace(NUMBER, ""))}</li>`)}</ol>`;
    return html`<p>${inline(run.join("\n"))}</p>`;
  });
}

export function Markdown({ text, className = "prose" }) {
  if (!text) return null;
  const blocks = text
    .replace(/\r\n?/g, "\n")
    .split(/\n\s*\n/)
    .map((part) => part.split("\n").filter((line) => line.trim() !== ""))
    .filter((lines) => lines.length > 0);
  return html`<div class=${className}>${blocks.map(block)}</div>`;
}
