"""The privacy vocabulary: pseudonyms and the export's README."""

from __future__ import annotations

from chalicelib.domain.privacy import SECTIONS, is_pseudonym, pseudonym, readme


def test_each_pseudonym_is_fresh_and_says_what_it_is():
    made = {pseudonym() for _ in range(100)}
    assert len(made) == 100
    assert all(is_pseudonym(p) and len(p) == len("erased-") + 16 for p in made)


def test_the_readme_names_every_section_in_the_readers_language():
    french, english = readme("fr", "2026-12-03T05:00:00.000Z"), readme("en-GB", "x")
    for name, _, _ in SECTIONS:
        assert f"- {name}" in french and f"- {name}" in english
    assert "Vos données" in french and "rubriques\u00a0:" in french
    assert "Your data" in english
