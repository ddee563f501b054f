"""Pagination cursors, without a table: what a cursor carries, what it is bound to, which
secrets open it, and the checks a decrypted key still passes."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chalicelib.domain.errors import InvalidCursor
from chalicelib.settings import get_settings
from chalicelib.store import cursors
from chalicelib.store.cursors import Listing, decode_cursor, encode_cursor

MEMBERS = Listing("group_members", ("pk", "GROUP#parc"), ("MEMBER#", "oldest"))
MEMBER_KEY = {"pk": {"S": "GROUP#parc"}, "sk": {"S": "MEMBER#bernadette"}}
DIRECTORY = Listing("directory", ("gsi1pk", "GROUPS"))
GROUP_KEY = {
    "gsi1pk": {"S": "GROUPS"},
    "gsi1sk": {"S": "les amis du parc#parc"},
    "pk": {"S": "GROUP#parc"},
    "sk": {"S": "META"},
}
NEW, OLD = "n" * 32 + "-new-cursor-secret", "o" * 32 + "-old-cursor-secret"


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Sets HUB_CURSOR_SECRET for the test: `secret("new,old")`."""

    def use(value: str) -> None:
        monkeypatch.setenv("HUB_CURSOR_SECRET", value)
        get_settings.cache_clear()

    yield use
    monkeypatch.delenv("HUB_CURSOR_SECRET", raising=False)
    get_settings.cache_clear()


def sealed_by_hand(listing: Listing, plain: bytes, secret: str | None = None) -> str:
    """A cursor sealed under the Hub's key, holding whatever plaintext: what only a bug (or
    the key's holder) could make, for the checks behind the encryption."""
    cipher = cursors._ciphers((secret or get_settings().cursor_secrets[0],))[0]
    nonce = os.urandom(12)
    data = nonce + cipher.encrypt(nonce, plain, listing.associated_data)
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_a_cursor_gives_back_the_key_it_was_made_from():
    assert decode_cursor(MEMBERS, encode_cursor(MEMBERS, MEMBER_KEY)) == MEMBER_KEY
    assert decode_cursor(DIRECTORY, encode_cursor(DIRECTORY, GROUP_KEY)) == GROUP_KEY


def test_no_cursor_means_the_first_page_and_no_key_no_next_page():
    assert decode_cursor(MEMBERS, None) is None
    assert encode_cursor(MEMBERS, None) is None
    assert encode_cursor(MEMBERS, {}) is None


def test_a_cursor_is_compact_base64url_without_padding():
    cursor = encode_cursor(MEMBERS, MEMBER_KEY)
    assert cursor is not None
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    # nonce, tag, and the sort key alone: the listing knows its partition
    assert len(cursor) == -(-(12 + 16 + 2 + len("MEMBER#bernadette")) * 4 // 3)


def test_two_cursors_of_the_same_place_differ():
    """A fresh nonce each time: equal cursors would tell two pages ended alike."""
    assert encode_cursor(MEMBERS, MEMBER_KEY) != encode_cursor(MEMBERS, MEMBER_KEY)


@pytest.mark.parametrize(
    "other",
    [
        Listing("join_requests", ("pk", "GROUP#parc"), ("MEMBER#", "oldest")),
        Listing("group_members", ("pk", "GROUP#fetes"), ("MEMBER#", "oldest")),
        Listing("group_members", ("pk", "GROUP#parc"), ("MEMBER#", "newest")),
        Listing("group_members", ("pk", "GROUP#parc"), ("MEMBER#x", "oldest")),
        Listing("group_members", ("pk", "GROUP#parc")),
        Listing("group_members", ("gsi1pk", "GROUP#parc"), ("MEMBER#", "oldest")),
    ],
    ids=[
        "another-name",
        "another-partition",
        "another-order",
        "another-prefix",
        "no-options",
        "another-index",
    ],
)
def test_a_cursor_opens_for_its_listing_only(other):
    cursor = encode_cursor(MEMBERS, MEMBER_KEY)

    with pytest.raises(InvalidCursor):
        decode_cursor(other, cursor)


def test_the_listing_identity_cannot_be_shifted_between_its_parts():
    """("a", "b,c") and ("a,b", "c") are two listings, whatever separator the parts hold."""
    one = Listing("comments", ("pk", "COMMENTS#d"), ("new", "pro"))
    two = Listing("comments", ("pk", "COMMENTS#d"), ("new,pro",))

    with pytest.raises(InvalidCursor):
        decode_cursor(two, encode_cursor(one, MEMBER_KEY | {"pk": {"S": "COMMENTS#d"}}))


def test_the_new_secret_encrypts_and_the_old_still_decrypts(secret):
    secret(OLD)
    before = encode_cursor(MEMBERS, MEMBER_KEY)
    secret(f"{NEW},{OLD}")

    assert decode_cursor(MEMBERS, before) == MEMBER_KEY
    after = encode_cursor(MEMBERS, MEMBER_KEY)
    secret(NEW)
    assert decode_cursor(MEMBERS, after) == MEMBER_KEY  # made with the new one
    with pytest.raises(InvalidCursor):
        decode_cursor(MEMBERS, before)  # the old secret dropped: start over


def test_a_cursor_is_not_readable_with_the_secret_itself_as_key(secret):
    """The AES key is derived from the secret under a label, never the secret's bytes."""
    secret(NEW)
    cursor = encode_cursor(MEMBERS, MEMBER_KEY)
    assert cursor is not None
    data = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))

    with pytest.raises(InvalidTag):
        AESGCM(NEW.encode()[:32]).decrypt(data[:12], data[12:], MEMBERS.associated_data)


@pytest.mark.parametrize(
    ("listing", "plain"),
    [
        (MEMBERS, b""),
        (MEMBERS, b"\x00\x03abc\x00\x03def"),  # a value too many
        (DIRECTORY, b"\x00\x03abc\x00\x04META"),  # the index's sort key left out
        (MEMBERS, b"\x00\x09abc"),  # cut short
        (MEMBERS, b"\x00"),
        (MEMBERS, b"\x00\x00"),  # an empty sort key
        (MEMBERS, b"\x00\x02\xff\xfe"),  # not UTF-8
        (MEMBERS, (1025).to_bytes(2, "big") + b"x" * 1025),  # past DynamoDB's key size
    ],
    ids=[
        "empty",
        "extra-value",
        "missing-index-key",
        "cut",
        "half-a-length",
        "empty-value",
        "not-utf8",
        "oversized",
    ],
)
def test_a_decrypted_key_that_does_not_fit_the_listing_is_refused(listing, plain):
    with pytest.raises(InvalidCursor):
        decode_cursor(listing, sealed_by_hand(listing, plain))


def test_a_cursor_longer_than_any_the_hub_issues_is_refused_before_decrypting(monkeypatch):
    longest = {"gsi1sk": {"S": "é" * 512}, "pk": {"S": "p" * 1024}, "sk": {"S": "s" * 1024}}
    cursor = encode_cursor(DIRECTORY, {"gsi1pk": {"S": "GROUPS"}, **longest})
    assert cursor is not None and len(cursor) <= cursors.MAX_CURSOR_CHARS
    assert decode_cursor(DIRECTORY, cursor) is not None

    monkeypatch.setattr(cursors, "_ciphers", lambda _: pytest.fail("decrypted"))
    with pytest.raises(InvalidCursor):
        decode_cursor(DIRECTORY, "A" * (cursors.MAX_CURSOR_CHARS + 1))
