"""What a person chose on the Hub: the name shown beside what they write, the language
they prefer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.model import Caller


@dataclass(frozen=True)
class Profile:
    """What a person chose on the Hub (PATCH /v1/me): the name shown beside what they write,
    the language they prefer. Absent (no item), or a field None: the token's."""

    user_id: str
    display_name: str | None = None
    locale: str | None = None
    updated_at: datetime | None = None


def shown_name(caller: Caller, profile: Profile | None) -> str:
    """The name the Hub shows for the caller: the one they chose, else their token's."""
    if profile is not None and profile.display_name:
        return profile.display_name
    return caller.display_name


class Language(StrEnum):
    """A language the Hub speaks (chalicelib/messages/): a person's preferred one."""

    FR = "fr"
    EN = "en"
