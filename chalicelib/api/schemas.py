"""Request bodies, validated by pydantic (and, later, the source of the OpenAPI schemas).

Unknown fields are refused, so a typo ("join_polcy") is a clear 422, not silently ignored.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from chalicelib.domain.model import JoinPolicy
from chalicelib.domain.roles import Role

GroupName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class GroupCreate(Strict):
    name: GroupName
    description: Description = ""
    listed: bool = True
    join_policy: JoinPolicy = JoinPolicy.INVITE


class GroupUpdate(Strict):
    name: GroupName | None = None
    description: Description | None = None
    listed: bool | None = None
    join_policy: JoinPolicy | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> GroupUpdate:
        if not self.model_fields_set:
            raise ValueError("send at least one of name, description, listed, join_policy")
        return self


class RoleChange(Strict):
    role: Role


class InvitationCreate(Strict):
    role: Role = Role.PARTICIPANT
    max_uses: int | None = Field(default=None, ge=1, le=10_000)
    expires_in_hours: int | None = Field(default=None, ge=1, le=90 * 24)
