"""The rules of what people may write (chalicelib/domain/text.py) and of ids in keys
(chalicelib/domain/ids.py), without the HTTP layer."""

from __future__ import annotations

import pytest

from chalicelib.domain.ids import MAX_ID_BYTES, fits_in_key, looks_like_user_id
from chalicelib.domain.text import TextRefused, multi_line, shown_line, single_line, without_nul


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Conseil\u202e", "bidi_control"),
        ("\u2067Conseil", "bidi_control"),
        ("Con\u200fseil", "bidi_control"),
        ("a\u2028b", "control_character"),
        ("a\u2029b", "control_character"),
        ("a\nb", "control_character"),
        ("a\x00", "control_character"),
        ("a\x9b", "control_character"),
        ("\u200b", "invisible"),
        ("\ufeff", "invisible"),
        ("\u200b\u200c\u200d\u2060", "invisible"),
        ("\u3164\u115f", "invisible"),
        ("\u00a0\u3000", "invisible"),
        ("\ufe0f", "invisible"),
        ("x\ud800", "invalid_character"),
        ("A" + "\u0301" * 79, "stacked_marks"),  # a name that spills over the lines around it
        ("Zo" + "\u0308\u0301\u0300\u0302\u0303", "stacked_marks"),
    ],
)
def test_a_name_that_is_not_one_visible_line_is_refused_with_its_reason(name, code):
    with pytest.raises(TextRefused) as refused:
        single_line(name)
    assert refused.value.code == code


@pytest.mark.parametrize(
    "name",
    [
        "Élodie",
        "Zoë Martin",
        "李雷",
        "👩‍👩‍👧",
        "❤️",
        "نادي",
        "Cafe\u0301",
        "a\u00adb",
        "\ue000",
        "Nguyê\u0303n",  # Vietnamese: two marks on one letter
        "a\u0301\u0302\u0303\u0304",  # four: the most one letter may carry
    ],
)
def test_names_of_every_script_and_emoji_are_kept_as_written(name):
    assert single_line(name) == name


def test_longer_texts_keep_their_lines_and_lose_nul():
    assert without_nul("a\x00\nb\tc\x00") == "a\nb\tc"
    assert multi_line("ligne 1\nligne 2\u2028") == "ligne 1\nligne 2\u2028"
    with pytest.raises(TextRefused):
        multi_line("x\udfff")


def test_a_display_name_is_shown_without_what_it_cannot_hold():
    assert shown_line("\u202eAlice\x00\u2028 M.\n") == "Alice M."


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        ("a", True),
        ("", False),
        ("x" * MAX_ID_BYTES, True),
        ("x" * (MAX_ID_BYTES + 1), False),
        ("é" * (MAX_ID_BYTES // 2), True),
        ("é" * (MAX_ID_BYTES // 2 + 1), False),
        ("😀" * (MAX_ID_BYTES // 4), True),
        ("😀" * (MAX_ID_BYTES // 4 + 1), False),
        ("\ud800", False),
    ],
)
def test_an_id_fits_in_a_key_by_its_bytes_not_its_characters(text, fits):
    assert fits_in_key(text) is fits


def test_a_user_id_is_printable_and_fits_in_a_key():
    assert looks_like_user_id("auth0|5f1c Zoë")
    assert not looks_like_user_id("a\tb")
    assert not looks_like_user_id("😀" * 256)


def test_a_user_id_is_never_a_path_segment_a_url_folds_away():
    """/groups/g/members/.. is /groups/members for every browser: such a person could not
    be named in a route, so could not be managed."""
    assert not looks_like_user_id(".")
    assert not looks_like_user_id("..")
    assert looks_like_user_id("...")
    assert looks_like_user_id(".alice")
