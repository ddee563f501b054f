"""The web client on the API's origin under `make run`: the runner plays the CDN's part.

In the cloud a CDN serves `web/` and sends `/v1/*` to API Gateway. Locally `chalice local`
serves both on one port (local/chalice_local.py installs this before serving): a GET or HEAD
for a path outside `/v1` is answered here, before the app sees it, and everything else goes
on to the app as before.

- `/v1`, `/v1/...`: the API, untouched (its own JSON 404 included).
- `/config.json`: what the client needs to know of its stage (`{"sign_in": "/dev/sign-in"}`);
  with `HUB_WEB_OIDC` set, how to sign in with OpenID Connect as in the cloud (below).
- `/dev/...`: the local stage's sign-in (never in the cloud bundle: local/ is not packaged):
  `/dev/sign-in` lists the demo users and takes any user id; `/dev/sign-in?as=USER` signs in
  as USER and returns to `/` (`&return=PATH`: to that page of the site instead); its script
  gets `/dev/token?as=USER`, a dev token signed as `make token SUB=USER NAME=USER` signs it
  (a demo user is named as in the demo association), and keeps it in the tab's session
  storage.
- `/dev/outbox`: the emails the local stack sent (`HUB_OUTBOX`, `.hub/outbox` under `make
  run`), newest first, with their subject, recipient and date; `/dev/outbox/NAME.eml`
  shows one (its headers, its text part), `/dev/outbox/NAME.eml/html` its HTML part as
  a page of its own (under the same Content-Security-Policy: no script runs), and
  `/dev/outbox/NAME.eml/raw` the message as sent.
- `POST /auth/token`, with `HUB_WEB_OIDC` set: the identity provider's token endpoint,
  forwarded as the cloud's distribution forwards it (infra/template.yaml, TokenProxy), so
  the client's Content-Security-Policy keeps `connect-src 'self'`.

`HUB_WEB_OIDC` (local stage only; tests/integration/test_web_sign_in.py uses it with a fake
provider) is a JSON object like the cloud's config.json `oidc`: `authorize`, `token` (the
provider's token endpoint, which the client reaches as `/auth/token`), `client_id`, `scope`,
`logout`.
- a file under `web/`: served at its path (`/app.js`, `/i18n/fr.json`, `/vendor/...`);
- a missing path whose last segment has an extension (`/favicon.ico`): 404, so a missing
  script or style sheet is an error rather than the page;
- any other path: `web/index.html` (a deep link: `/debates/x`), the client routes it.

A path that decodes to a `.` or `..` segment, a backslash or a NUL is refused (400): nothing
outside `web/` (or `local/dev/`) is ever read. Every answer carries the security headers
(the Content-Security-Policy of the contract, docs/development.md). `index.html`, the
config and the files revalidate at each use (`no-cache`, with an ETag): files change as one
edits them; the sign-in and the tokens are never stored (`no-store`).
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

REPO_ROOT = Path(__file__).resolve().parent.parent
WEB_ROOT = REPO_ROOT / "web"
DEV_ROOT = Path(__file__).resolve().parent / "dev"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}
CONFIG = {"sign_in": "/dev/sign-in"}
TOKEN_PATH = "/auth/token"
OIDC_FIELDS = ("authorize", "token", "client_id", "scope", "logout")
TOKEN_TIMEOUT_S = 10
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
MAX_USER_ID_BYTES = 256  # as the API's looks_like_user_id (chalicelib/domain/ids.py)


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str
    cache: str = "no-cache"
    headers: dict[str, str] = field(default_factory=dict)

    def all_headers(self) -> dict[str, str]:
        length = {} if self.status == 304 else {"Content-Length": str(len(self.body))}
        return {
            "Content-Type": self.content_type,
            **length,
            "Cache-Control": self.cache,
            **SECURITY_HEADERS,
            **self.headers,
        }


def is_api(path: str) -> bool:
    return path == "/v1" or path.startswith("/v1/")


def answer(method: str, target: str, request_headers: Any = None) -> Answer | None:
    """What the front answers to `method target`; None when the API answers it."""
    raw_path, _, query = target.partition("?")
    if method not in ("GET", "HEAD") or is_api(raw_path):
        return None
    path = unquote(raw_path, errors="strict") if _decodes(raw_path) else None
    segments = path.split("/")[1:] if path and path.startswith("/") else None
    if segments is None or any(s in (".", "..") or "\\" in s or "\0" in s for s in segments):
        return _text(400, "Bad request: this path is refused.")
    if is_api(path):  # /%761/... is the API's: let it refuse it, as API Gateway would
        return None
    if path == "/config.json":
        oidc = web_oidc()
        shown = {"oidc": {**oidc, "token": TOKEN_PATH}} if oidc else CONFIG
        return Answer(200, _json(shown), CONTENT_TYPES[".json"])
    if path == "/dev" or path.startswith("/dev/"):
        return _dev(path, parse_qs(query), _header(request_headers, "Host"))
    found = _file_under(WEB_ROOT, segments)
    if found is None:
        if "." in segments[-1]:
            return _text(404, "Not found.")
        found = WEB_ROOT / "index.html"
        if not found.is_file():
            return _text(404, "The web client is missing: no web/index.html.")
    return _file(found, request_headers)


def _decodes(raw_path: str) -> bool:
    try:
        unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def _file_under(root: Path, segments: list[str]) -> Path | None:
    """The regular file at `segments` under `root`, never outside it nor a hidden one."""
    if not segments or not segments[-1] or any(s.startswith(".") for s in segments if s):
        return None
    candidate = root.joinpath(*segments).resolve()
    if not candidate.is_relative_to(root.resolve()) or not candidate.is_file():
        return None
    return candidate


def _file(path: Path, request_headers: Any) -> Answer:
    content_type = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
    stat = path.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    headers = {"ETag": etag}
    if request_headers is not None and request_headers.get("If-None-Match") == etag:
        return Answer(304, b"", content_type, headers=headers)
    return Answer(200, path.read_bytes(), content_type, headers=headers)


def _text(status: int, message: str) -> Answer:
    return Answer(status, message.encode() + b"\n", "text/plain; charset=utf-8", "no-store")


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


# OpenID Connect as in the cloud (HUB_WEB_OIDC) ----------------------------------------------


def web_oidc(environ: Any = None) -> dict[str, str] | None:
    """HUB_WEB_OIDC's provider (see above), or None when unset. Refused unless complete."""
    text = (environ if environ is not None else os.environ).get("HUB_WEB_OIDC") or ""
    if not text.strip():
        return None
    try:
        given = json.loads(text)
    except ValueError:
        given = None
    if not isinstance(given, dict) or not all(
        isinstance(given.get(name), str) for name in ("authorize", "token", "client_id")
    ):
        raise RuntimeError(
            "HUB_WEB_OIDC must be a JSON object with authorize, token and client_id"
            " (and optionally scope and logout)"
        )
    return {name: str(given.get(name) or "") for name in OIDC_FIELDS}


def token_exchange(body: bytes, content_type: str) -> Answer:
    """POST /auth/token: the form, as it came, to the provider's token endpoint; its answer
    as it came (never stored: it holds tokens)."""
    import urllib.error
    import urllib.request

    oidc = web_oidc()
    if oidc is None:
        return _text(404, "Not found.")
    request = urllib.request.Request(
        oidc["token"],
        data=body,
        method="POST",
        headers={"Content-Type": content_type, "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TOKEN_TIMEOUT_S) as response:
            status, data = response.status, response.read()
            answered = response.headers.get("Content-Type") or CONTENT_TYPES[".json"]
    except urllib.error.HTTPError as error:
        status, data = error.code, error.read()
        answered = error.headers.get("Content-Type") or CONTENT_TYPES[".json"]
    except OSError:
        return _text(502, "The identity provider's token endpoint does not answer.")
    return Answer(status, data, answered, "no-store")


# The local stage's sign-in ------------------------------------------------------------------


def _header(headers: Any, name: str) -> str:
    return str(headers.get(name) or "") if headers is not None else ""


def from_this_machine(host: str) -> bool:
    """Whether a Host header names this machine (the runner listens on 127.0.0.1 only)."""
    return host.rpartition(":")[0] in LOOPBACK_NAMES


def request_length(headers: Any) -> int | None:
    """The request body's length: 0 when none is said; None when what is said is not a
    whole number of bytes."""
    said = _header(headers, "Content-Length").strip()
    if not said:
        return 0
    return int(said) if said.isdigit() and said.isascii() else None


def _dev(path: str, query: dict[str, list[str]], host: str) -> Answer:
    if path == "/dev/sign-in":
        return Answer(200, sign_in_page(), CONTENT_TYPES[".html"], "no-store")
    if path == "/dev/outbox" or path.startswith("/dev/outbox/"):
        return outbox_answer(path.split("/")[3:])
    if path == "/dev/token":
        # Only to pages of this machine's own names: a site the developer visits could
        # otherwise rebind its name to 127.0.0.1 and read tokens for the local Hub.
        if not from_this_machine(host):
            return _text(403, "Dev tokens are for http://127.0.0.1 or http://localhost only.")
        return _token(query.get("as", [""])[0])
    found = _file_under(DEV_ROOT, path.split("/")[2:])
    if found is None or found.suffix not in (".js", ".css"):
        return _text(404, "Not found.")
    return Answer(200, found.read_bytes(), CONTENT_TYPES[found.suffix], "no-store")


def _token(user: str) -> Answer:
    """A dev token for `user`, as `make token SUB=USER NAME=NAME` signs it: a demo user's
    name is theirs in the demo association (local/demo.py), anyone else's is their id."""
    from local.devtoken import make_token

    if not user.strip() or not user.isprintable() or len(user.encode()) > MAX_USER_ID_BYTES:
        error = {
            "code": "invalid_user",
            "message": "Identifiant invalide : du texte imprimable, 256 octets au plus.",
        }
        return Answer(400, _json({"error": error}), CONTENT_TYPES[".json"], "no-store")
    token = make_token(user, name=dict(demo_users()).get(user, user))
    return Answer(200, _json({"token": token}), CONTENT_TYPES[".json"], "no-store")


def demo_users() -> list[tuple[str, str]]:
    """(id, name) of the demo association's people (`make run DEMO=1`), its admin first."""
    from local.demo import ADMIN, MEMBERS  # imports chalicelib: only once the app has

    return [(ADMIN.id, ADMIN.name), *((user.id, user.name) for user, _role in MEMBERS)]


def sign_in_page() -> bytes:
    template = (DEV_ROOT / "sign-in.html").read_text()
    items = "\n".join(
        f'        <li><button name="as" value="{html.escape(sub)}">{html.escape(sub)}</button>'
        f" {html.escape(name)}</li>"
        for sub, name in demo_users()
    )
    return template.replace("{{demo_users}}", items).encode()


# The local outbox ----------------------------------------------------------------------------

OUTBOX_PAGE_LIMIT = 200  # the newest; older ones stay in the folder


def outbox_folder(environ: Any = None) -> Path | None:
    """Where the local stack writes the emails it sends (HUB_OUTBOX), if anywhere."""
    folder = (environ if environ is not None else os.environ).get("HUB_OUTBOX") or ""
    return Path(folder) if folder.strip() else None


def outbox_answer(segments: list[str]) -> Answer:
    folder = outbox_folder()
    if not segments or segments == [""]:
        return Answer(200, outbox_page(folder), CONTENT_TYPES[".html"], "no-store")
    found = _email_file(folder, segments[0])
    if found is None or len(segments) > 2:
        return _text(404, "No such email in the outbox.")
    view = segments[1] if len(segments) == 2 else ""
    raw = found.read_bytes()
    if view == "raw":
        return Answer(200, raw, "text/plain; charset=utf-8", "no-store")
    message = _parsed(raw)
    if view == "html":
        part = message.get_body(("html",))
        if part is None:
            return _text(404, "This email has no HTML part.")
        return Answer(200, part.get_content().encode(), CONTENT_TYPES[".html"], "no-store")
    if view:
        return _text(404, "Not found.")
    return Answer(200, email_page(found.name, message), CONTENT_TYPES[".html"], "no-store")


def _email_file(folder: Path | None, name: str) -> Path | None:
    """The .eml `name` directly in the outbox, or None."""
    if folder is None or not name.endswith(".eml") or name.startswith(".") or "/" in name:
        return None
    candidate = folder / name
    return candidate if candidate.is_file() else None


def _parsed(raw: bytes) -> Any:
    from email import message_from_bytes
    from email.policy import default

    return message_from_bytes(raw, policy=default)


def outbox_emails(folder: Path | None) -> list[Path]:
    """The outbox's emails, newest first (their names start with the UTC time they were
    sent at)."""
    if folder is None or not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.suffix == ".eml" and not p.name.startswith(".")]
    return sorted(found, key=lambda p: p.name, reverse=True)[:OUTBOX_PAGE_LIMIT]


def _page(title: str, body: str) -> bytes:
    return (
        '<!doctype html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)} — Hub</title>\n"
        '<link rel="stylesheet" href="/dev/sign-in.css">\n</head>\n<body>\n<main>\n'
        f"<h1>{html.escape(title)}</h1>\n{body}\n</main>\n</body>\n</html>\n"
    ).encode()


def outbox_page(folder: Path | None) -> bytes:
    emails = outbox_emails(folder)
    if folder is None:
        intro = "<p>Aucune boîte d'envoi\u00a0: <code>HUB_OUTBOX</code> n'est pas défini.</p>"
    else:
        intro = (
            f"<p>Les courriels envoyés par l'étape locale, les plus récents d'abord "
            f"(<code>{html.escape(str(folder))}</code>).</p>"
        )
    if not emails:
        return _page("Boîte d'envoi", intro + "\n<p>Aucun courriel pour l'instant.</p>")
    rows = []
    for path in emails:
        try:
            message = _parsed(path.read_bytes())
            subject, to, date = (str(message[h] or "") for h in ("Subject", "To", "Date"))
        except (OSError, ValueError):
            subject, to, date = "(illisible)", "", ""
        link = f"/dev/outbox/{html.escape(path.name)}"
        rows.append(
            f'<tr><td><a href="{link}">{html.escape(subject or "(sans objet)")}</a></td>'
            f"<td>{html.escape(to)}</td><td>{html.escape(date)}</td></tr>"
        )
    table = (
        '<table>\n<caption>Courriels envoyés</caption>\n<thead><tr><th scope="col">Objet</th>'
        '<th scope="col">Destinataire</th><th scope="col">Date</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )
    return _page("Boîte d'envoi", intro + "\n" + table)


def email_page(name: str, message: Any) -> bytes:
    shown = (
        "Subject",
        "From",
        "To",
        "Date",
        "Message-ID",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
    )
    headers = "\n".join(
        f"<dt>{header}</dt><dd>{html.escape(str(message[header]))}</dd>"
        for header in shown
        if message[header] is not None
    )
    text = message.get_body(("plain",))
    text_part = (
        f"<h2>Texte</h2>\n<pre>{html.escape(text.get_content())}</pre>" if text is not None else ""
    )
    base = f"/dev/outbox/{html.escape(name)}"
    links = (
        f'<p><a href="{base}/html">Voir la partie HTML</a> · '
        f'<a href="{base}/raw">Voir le message brut</a> · '
        '<a href="/dev/outbox">Retour à la boîte d\'envoi</a></p>'
    )
    body = f"<dl>\n{headers}\n</dl>\n{links}\n{text_part}"
    return _page(str(message["Subject"] or "(sans objet)"), body)


# chalice local's request handler ------------------------------------------------------------


def serve_web_client() -> None:
    """Make `chalice local` answer the front's paths before its app (the local stage only)."""
    from chalice import local

    if os.environ.get("HUB_STAGE") != "local":
        raise RuntimeError("the web client's local front (and its dev sign-in) is for stage local")
    web_oidc()  # a malformed HUB_WEB_OIDC stops the runner here, saying what it wants
    handler = local.ChaliceRequestHandler
    to_the_app = handler._generic_handle

    def send(self: Any, found: Answer) -> None:
        self.send_response(found.status)
        for name, value in found.all_headers().items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and found.status != 304:
            self.wfile.write(found.body)

    def refused(self: Any) -> Answer | None:
        """What to answer instead of serving the request, if anything: another Host than
        this machine's names (a site rebinding its name to 127.0.0.1 would otherwise drive
        the local Hub with dev tokens anyone can sign), or a Content-Length that is none."""
        if not from_this_machine(_header(self.headers, "Host")):
            self.close_connection = True
            return _text(421, "The local Hub answers http://127.0.0.1 or http://localhost only.")
        if request_length(self.headers) is None:
            self.close_connection = True
            return _text(400, "Content-Length must be a whole number of bytes.")
        return None

    def app(self: Any) -> None:
        stop = refused(self)
        if stop is not None:
            send(self, stop)
            return
        to_the_app(self)

    def handle(self: Any) -> None:
        stop = refused(self)
        found = stop or answer(self.command, self.path, self.headers)
        if found is None:
            to_the_app(self)
            return
        length = request_length(self.headers)
        if length:
            self.rfile.read(length)  # a GET with a body: read it, the connection goes on
        send(self, found)

    def post(self: Any) -> None:
        if self.path.partition("?")[0] != TOKEN_PATH or web_oidc() is None:
            app(self)
            return
        stop = refused(self)
        if stop is not None:
            send(self, stop)
            return
        body = self.rfile.read(request_length(self.headers) or 0)
        send(self, token_exchange(body, self.headers.get("Content-Type") or ""))

    handler.do_GET = handler.do_HEAD = handle
    handler.do_POST = post
    handler.do_PUT = handler.do_PATCH = handler.do_DELETE = handler.do_OPTIONS = app
