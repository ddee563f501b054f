"""Unsubscribe links (chalicelib/mail/unsubscribe.py): a signed (user, group, kind) that
anyone holding the email may use without signing in, and nobody can make for someone else."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator

import pytest

from chalicelib.domain.notifications import ALL_GROUPS, Kind
from chalicelib.mail.unsubscribe import read_unsubscribe_token, unsubscribe_token
from chalicelib.settings import get_settings

NEW = "n" * 40
OLD = "o" * 40


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    def use(value: str) -> None:
        monkeypatch.setenv("HUB_CURSOR_SECRET", value)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("group", ["g0000000001a", ALL_GROUPS])
def test_a_token_gives_back_who_which_group_and_which_kind(kind, group):
    token = unsubscribe_token("auth0|alice", group, kind)

    assert read_unsubscribe_token(token) == ("auth0|alice", group, kind)


def test_a_token_is_compact_url_safe_and_shows_no_secret():
    token = unsubscribe_token("u" * 40, "g" * 12, Kind.CONSULTATION_OPENED)

    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(token) < 160  # 16 bytes of tag + the three fields, base64
    assert get_settings().cursor_secrets[0] not in token


def test_ids_in_any_script_survive_the_round_trip():
    token = unsubscribe_token("élodie·ß·名前", "g1", Kind.REPLY)

    assert read_unsubscribe_token(token) == ("élodie·ß·名前", "g1", Kind.REPLY)


def test_every_changed_character_is_refused():
    token = unsubscribe_token("alice", "g1", Kind.RESULTS)
    for at in range(len(token)):
        changed = token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]
        assert read_unsubscribe_token(changed) is None, at


def test_a_cut_or_lengthened_token_is_refused():
    token = unsubscribe_token("alice", "g1", Kind.RESULTS)
    for length in range(len(token)):
        assert read_unsubscribe_token(token[:length]) is None, length
    assert read_unsubscribe_token(token + "A") is None
    assert read_unsubscribe_token(token + "AAAA") is None


def test_a_token_for_someone_else_cannot_be_made_from_ones_own():
    # Swap the fields of alice's token for bob's, keeping alice's tag.
    raw = base64.urlsafe_b64decode(unsubscribe_token("alice", "g1", Kind.REPLY) + "==")
    bobs = b"\x00\x03bob\x00\x02g1\x00\x05reply"
    forged = base64.urlsafe_b64encode(raw[:16] + bobs).decode().rstrip("=")

    assert read_unsubscribe_token(forged) is None


def test_a_token_signed_with_the_secret_itself_rather_than_its_derived_key_is_refused():
    fields = b"\x00\x05alice\x00\x02g1\x00\x05reply"
    secret = get_settings().cursor_secrets[0].encode()
    tag = hmac.new(secret, fields, hashlib.sha256).digest()[:16]
    forged = base64.urlsafe_b64encode(tag + fields).decode().rstrip("=")

    assert read_unsubscribe_token(forged) is None


def test_a_well_signed_token_of_an_unknown_kind_is_refused(monkeypatch):
    from chalicelib.mail import unsubscribe

    fields = b"\x00\x05alice\x00\x02g1\x00\x05spams"
    key = unsubscribe._keys(get_settings().cursor_secrets)[0]
    token = base64.urlsafe_b64encode(unsubscribe._tag(key, fields) + fields).decode()

    assert read_unsubscribe_token(token.rstrip("=")) is None


@pytest.mark.parametrize(
    "made_up",
    ["", "=", "!!!!", "a", "A" * 43, "A" * 10_000, "é", "\x00", "a.b.c", "%2F%2F", "  "],
)
def test_made_up_tokens_are_refused_without_raising(made_up):
    assert read_unsubscribe_token(made_up) is None


def test_the_new_secret_signs_and_the_old_still_verifies(secret):
    secret(OLD)
    from_old = unsubscribe_token("alice", "g1", Kind.REPLY)
    secret(f"{NEW},{OLD}")
    from_new = unsubscribe_token("alice", "g1", Kind.REPLY)

    assert read_unsubscribe_token(from_old) == ("alice", "g1", Kind.REPLY)
    assert read_unsubscribe_token(from_new) == ("alice", "g1", Kind.REPLY)
    secret(NEW)
    assert read_unsubscribe_token(from_old) is None
    assert read_unsubscribe_token(from_new) == ("alice", "g1", Kind.REPLY)


def test_a_token_of_another_hub_is_refused(secret):
    secret(OLD)
    theirs = unsubscribe_token("alice", "g1", Kind.REPLY)
    secret(NEW)

    assert read_unsubscribe_token(theirs) is None
