"""What a consultation publishes once decided: every debate's final results (for whoever may
read the consultation; JSON or a spreadsheet), and, for a public consultation, its open data
(debates, results and arguments under per-consultation pseudonyms).

Reads only: who may read is the permission table's (services/access.py), final results are
the closer's (store/results.py), and nothing here names a person.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from chalicelib.domain import clock
from chalicelib.domain.deliberation import Comment
from chalicelib.domain.errors import NotPublic, ResultsNotFinal
from chalicelib.domain.groups import Group
from chalicelib.domain.model import (
    Caller,
    Consultation,
    ConsultationVisibility,
    Debate,
    FunctionType,
    Phase,
)
from chalicelib.domain.open_data import pseudonym, publishable
from chalicelib.domain.permissions import Action
from chalicelib.services.access import consultation_access
from chalicelib.settings import get_settings
from chalicelib.store import comments as comment_store
from chalicelib.store import debates as debate_store
from chalicelib.store import results as result_store
from chalicelib.store.results import FinalResult

# Open data reads at most this many comments (all debates together), page by page; beyond
# it the document says `truncated`.
MAX_ARGUMENTS = 5_000
_PSEUDONYM_LABEL = b"hub open data pseudonym"


@dataclass(frozen=True)
class DebateResult:
    debate: Debate
    result: FinalResult


@dataclass(frozen=True)
class ConsultationResults:
    consultation: Consultation
    host: Group | None
    debates: list[DebateResult]  # those with a decision, in creation order


def results(caller: Caller | None, consultation_id: str) -> ConsultationResults:
    """Every decision's final result, for whoever may read the consultation (404 otherwise);
    409 `results_not_final` until the closer has recounted them all."""
    access = consultation_access(consultation_id, caller, Action.CONSULTATION_READ, host=True)
    consultation = access.consultation
    if consultation.phase is not Phase.FINALISED:
        raise ResultsNotFinal()
    deciding = [
        d
        for d in debate_store.all_debates(consultation.id)
        if d.function.type is not FunctionType.NONE
    ]
    finals = result_store.results_of(consultation.id) if deciding else {}
    if any(d.id not in finals for d in deciding):
        raise ResultsNotFinal()
    paired = [DebateResult(d, finals[d.id]) for d in deciding]
    return ConsultationResults(consultation, access.host, paired)


@dataclass(frozen=True)
class PublishedDebate:
    debate: Debate
    result: FinalResult | None  # None before the final results (and without a decision)


@dataclass(frozen=True)
class PublishedArgument:
    comment: Comment
    author: str  # the author's pseudonym in this consultation


@dataclass(frozen=True)
class OpenData:
    consultation: Consultation
    host: Group | None
    generated_at: datetime
    debates: list[PublishedDebate]
    arguments: list[PublishedArgument]
    truncated: bool
    licence: str
    licence_url: str


def open_data(caller: Caller | None, consultation_id: str) -> OpenData:
    """A public consultation's debates, results and arguments, naming nobody: 404 for a
    consultation the caller may not read, 409 `not_public` for one they may read that is not
    public (a draft is not public yet)."""
    access = consultation_access(consultation_id, caller, Action.CONSULTATION_READ, host=True)
    consultation = access.consultation
    if consultation.published_at is None or (
        consultation.visibility is not ConsultationVisibility.PUBLIC
    ):
        raise NotPublic()
    debates = debate_store.all_debates(consultation.id)
    finals = (
        result_store.results_of(consultation.id) if consultation.phase is Phase.FINALISED else {}
    )
    arguments, truncated = _arguments(consultation, debates)
    settings = get_settings()
    return OpenData(
        consultation=consultation,
        host=access.host,
        generated_at=clock.now(),
        debates=[PublishedDebate(d, finals.get(d.id)) for d in debates],
        arguments=arguments,
        truncated=truncated,
        licence=settings.open_data_licence,
        licence_url=settings.open_data_licence_url,
    )


def _arguments(
    consultation: Consultation, debates: list[Debate]
) -> tuple[list[PublishedArgument], bool]:
    """The publishable comments of every debate, oldest first within each, each author under
    their pseudonym; reading at most MAX_ARGUMENTS comments in all."""
    key = _pseudonym_key(get_settings().cursor_secrets[0])
    published: list[PublishedArgument] = []
    left = MAX_ARGUMENTS
    for debate in debates:
        comments, more = comment_store.arguments_of(debate.id, left)
        left -= len(comments)
        published += [
            PublishedArgument(c, pseudonym(key, consultation.id, c.author_id))
            for c in sorted(comments, key=lambda c: (c.created_at, c.id))
            if publishable(c)
        ]
        if more:
            return published, True
    return published, False


@cache
def _pseudonym_key(secret: str) -> bytes:
    """The pseudonyms' key: the first cursor secret's, under a label of its own (a
    pseudonym is never a cursor nor an unsubscribe link). Rotating that secret gives every
    author a new pseudonym in documents generated afterwards."""
    return hmac.new(secret.encode(), _PSEUDONYM_LABEL, hashlib.sha256).digest()
