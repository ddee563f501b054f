"""A consultation's life as plain rules: dates, what may change when, publishing, status
computed from the dates, and who stands where towards it. No moto, no HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.consultations import (
    ConsultationChanges,
    apply_changes,
    check_dates,
    check_shape,
    publish,
    standings_of,
)
from chalicelib.domain.errors import (
    AlreadyPublished,
    ConsultationClosed,
    ConsultationLocked,
    ValidationFailed,
)
from chalicelib.domain.model import (
    Caller,
    Consultation,
    ConsultationContext,
    ConsultationStatus,
    ConsultationVisibility,
    Participation,
    PartnerStatus,
)
from chalicelib.domain.roles import GrantRole, Outsider, PartnerRole, Relation, Role

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MS = timedelta(milliseconds=1)
DAY = timedelta(days=1)

HOST, PARTNER, PENDING, ELSEWHERE = "hosthosthost", "partnerpartn", "pendingpendi", "elsewhereels"


def draft(**fields) -> Consultation:
    base = {
        "id": "consultation",
        "group_id": HOST,
        "title": "Budget participatif",
        "description": "",
        "visibility": ConsultationVisibility.MEMBERS,
        "audience": (),
        "participation": Participation.MEMBERS,
        "opens_at": None,
        "closes_at": NOW + 7 * DAY,
        "created_at": NOW - DAY,
        "created_by": "alice",
    }
    return Consultation(**{**base, **fields})


def published(at: datetime = NOW - MS, **fields) -> Consultation:
    return replace(draft(**fields), published_at=at)


def refusal_fields(raised: pytest.ExceptionInfo) -> list[tuple[str, str]]:
    return [(d.field, d.code) for d in raised.value.details or ()]


# ---------------------------------------------------------------- dates


def test_closing_must_come_after_opening():
    opens = NOW + DAY
    with pytest.raises(ValidationFailed) as raised:
        check_dates(opens, opens, NOW)
    assert refusal_fields(raised) == [("closes_at", "before_opening")]
    with pytest.raises(ValidationFailed):
        check_dates(opens, opens - DAY, NOW)
    check_dates(opens, opens + MS, NOW)


def test_without_an_opening_date_closing_must_lie_in_the_future():
    with pytest.raises(ValidationFailed) as raised:
        check_dates(None, NOW, NOW)
    assert refusal_fields(raised) == [("closes_at", "in_the_past")]
    check_dates(None, NOW + MS, NOW)


def test_a_closing_date_already_past_is_refused_even_after_an_earlier_opening():
    with pytest.raises(ValidationFailed) as raised:
        check_dates(NOW - 2 * DAY, NOW - DAY, NOW)
    assert refusal_fields(raised) == [("closes_at", "in_the_past")]


# ---------------------------------------------------------------- shape


@pytest.mark.parametrize(
    ("visibility", "audience", "participation", "refused"),
    [
        ("members", ("admin",), "members", ("audience", "restricted_only")),
        ("public", ("admin",), "members", ("audience", "restricted_only")),
        ("restricted", (), "members", ("audience", "missing")),
        ("members", (), "signed_in", ("participation", "public_only")),
        ("restricted", ("author",), "verified", ("participation", "public_only")),
    ],
)
def test_audience_is_for_restricted_and_participation_for_public(
    visibility, audience, participation, refused
):
    with pytest.raises(ValidationFailed) as raised:
        check_shape(
            ConsultationVisibility(visibility),
            tuple(Role(r) for r in audience),
            Participation(participation),
        )
    assert refusal_fields(raised) == [refused]


def test_each_visibility_accepts_its_own_settings():
    check_shape(ConsultationVisibility.RESTRICTED, (Role.ADMIN,), Participation.MEMBERS)
    check_shape(ConsultationVisibility.MEMBERS, (), Participation.MEMBERS)
    for participation in Participation:
        check_shape(ConsultationVisibility.PUBLIC, (), participation)


# ---------------------------------------------------------------- status and context


def test_a_draft_stays_a_draft_whatever_the_dates():
    consultation = draft(opens_at=NOW - 2 * DAY, closes_at=NOW - DAY)
    assert consultation.status_at(NOW) is ConsultationStatus.DRAFT
    assert consultation.context is ConsultationContext.DRAFT


def test_status_follows_the_dates_to_the_millisecond():
    opens, closes = NOW + DAY, NOW + 2 * DAY
    consultation = published(at=NOW, opens_at=opens, closes_at=closes)
    assert consultation.status_at(opens - MS) is ConsultationStatus.SCHEDULED
    assert consultation.status_at(opens) is ConsultationStatus.OPEN
    assert consultation.status_at(closes - MS) is ConsultationStatus.OPEN
    assert consultation.status_at(closes) is ConsultationStatus.CLOSED
    assert consultation.status_at(closes + 365 * DAY) is ConsultationStatus.CLOSED


def test_without_an_opening_date_it_opens_when_published():
    consultation = published(at=NOW, opens_at=None)
    assert consultation.status_at(NOW) is ConsultationStatus.OPEN


def test_closed_early_reads_as_closed_before_its_closing_date():
    consultation = replace(published(at=NOW - DAY), closed_at=NOW - MS)
    assert consultation.status_at(NOW) is ConsultationStatus.CLOSED


@pytest.mark.parametrize(
    ("visibility", "audience", "participation", "context"),
    [
        ("restricted", ("author",), "members", "restricted"),
        ("members", (), "members", "members"),
        ("public", (), "members", "public:members"),
        ("public", (), "signed_in", "public:signed_in"),
        ("public", (), "verified", "public:verified"),
    ],
)
def test_the_permission_column_is_draft_until_published_then_the_visibility(
    visibility, audience, participation, context
):
    fields = {
        "visibility": ConsultationVisibility(visibility),
        "audience": tuple(Role(r) for r in audience),
        "participation": Participation(participation),
    }
    assert draft(**fields).context is ConsultationContext.DRAFT
    assert published(**fields).context is ConsultationContext(context)


# ---------------------------------------------------------------- changes


def test_a_draft_may_change_entirely():
    before = draft(opens_at=NOW + DAY)
    changes = ConsultationChanges(
        title="Budget 2027",
        description="Où investir ?",
        visibility=ConsultationVisibility.RESTRICTED,
        audience=(Role.MODERATOR,),
        opens_at=NOW + 2 * DAY,
        closes_at=NOW + 3 * DAY,
    )
    after = apply_changes(before, changes, NOW)
    assert after.title == "Budget 2027"
    assert after.description == "Où investir ?"
    assert after.visibility is ConsultationVisibility.RESTRICTED
    assert after.audience == (Role.MODERATOR,)
    assert (after.opens_at, after.closes_at) == (NOW + 2 * DAY, NOW + 3 * DAY)
    assert after.published_at is None


def test_a_draft_may_drop_its_opening_date_to_open_on_publication():
    after = apply_changes(draft(opens_at=NOW + DAY), ConsultationChanges(clear_opens_at=True), NOW)
    assert after.opens_at is None


def test_leaving_restricted_or_public_drops_the_audience_or_the_participation():
    restricted = draft(visibility=ConsultationVisibility.RESTRICTED, audience=(Role.ADMIN,))
    now_members = apply_changes(
        restricted, ConsultationChanges(visibility=ConsultationVisibility.MEMBERS), NOW
    )
    assert (now_members.visibility, now_members.audience) == (ConsultationVisibility.MEMBERS, ())

    public = draft(visibility=ConsultationVisibility.PUBLIC, participation=Participation.VERIFIED)
    now_members = apply_changes(
        public, ConsultationChanges(visibility=ConsultationVisibility.MEMBERS), NOW
    )
    assert now_members.participation is Participation.MEMBERS


def test_a_draft_change_still_obeys_the_shape_and_the_dates():
    with pytest.raises(ValidationFailed) as raised:
        apply_changes(draft(), ConsultationChanges(audience=(Role.ADMIN,)), NOW)
    assert refusal_fields(raised) == [("audience", "restricted_only")]
    with pytest.raises(ValidationFailed) as raised:
        apply_changes(
            draft(), ConsultationChanges(visibility=ConsultationVisibility.RESTRICTED), NOW
        )
    assert refusal_fields(raised) == [("audience", "missing")]
    with pytest.raises(ValidationFailed) as raised:
        apply_changes(draft(closes_at=NOW + DAY), ConsultationChanges(opens_at=NOW + DAY), NOW)
    assert refusal_fields(raised) == [("closes_at", "before_opening")]


@pytest.mark.parametrize(
    "status_of", ["open", "scheduled"], ids=["open", "scheduled-but-not-yet-open"]
)
def test_once_published_only_the_description_and_a_later_closing_may_change(status_of):
    opens_at = NOW + DAY if status_of == "scheduled" else None
    before = published(opens_at=opens_at)
    assert before.status_at(NOW).value == status_of
    after = apply_changes(
        before,
        ConsultationChanges(description="Ajout des annexes", closes_at=before.closes_at + DAY),
        NOW,
    )
    assert after.description == "Ajout des annexes"
    assert after.closes_at == before.closes_at + DAY

    frozen = [
        (ConsultationChanges(title="Autre titre"), "title"),
        (ConsultationChanges(visibility=ConsultationVisibility.PUBLIC), "visibility"),
        (ConsultationChanges(participation=Participation.SIGNED_IN), "participation"),
        (ConsultationChanges(opens_at=NOW + 3 * DAY), "opens_at"),
    ]
    if opens_at is not None:
        frozen.append((ConsultationChanges(clear_opens_at=True), "opens_at"))
    for changes, field in frozen:
        with pytest.raises(ConsultationLocked) as raised:
            apply_changes(before, changes, NOW)
        assert refusal_fields(raised) == [(field, "locked")], field


def test_a_locked_change_names_every_frozen_field_and_resending_a_value_is_no_change():
    before = published()
    with pytest.raises(ConsultationLocked) as raised:
        apply_changes(
            before,
            ConsultationChanges(title="Autre", visibility=ConsultationVisibility.PUBLIC),
            NOW,
        )
    assert refusal_fields(raised) == [("title", "locked"), ("visibility", "locked")]
    same = apply_changes(
        before,
        ConsultationChanges(title=before.title, visibility=before.visibility, description="x"),
        NOW,
    )
    assert same.description == "x"


def test_a_published_closing_date_may_be_extended_never_shortened():
    before = published()
    with pytest.raises(ConsultationLocked) as raised:
        apply_changes(before, ConsultationChanges(closes_at=before.closes_at - MS), NOW)
    assert refusal_fields(raised) == [("closes_at", "locked")]
    unchanged = apply_changes(before, ConsultationChanges(closes_at=before.closes_at), NOW)
    assert unchanged.closes_at == before.closes_at


def test_nothing_changes_once_closed_not_even_the_description():
    before = published(at=NOW - 2 * DAY, closes_at=NOW)
    for changes in [
        ConsultationChanges(description="trop tard"),
        ConsultationChanges(closes_at=NOW + DAY),
    ]:
        with pytest.raises(ConsultationClosed):
            apply_changes(before, changes, NOW)


def test_a_draft_left_past_its_closing_date_is_not_closed_but_must_get_a_new_one():
    stale, later = draft(), NOW + 8 * DAY
    with pytest.raises(ValidationFailed) as raised:
        apply_changes(stale, ConsultationChanges(description="x"), later)
    assert refusal_fields(raised) == [("closes_at", "in_the_past")]
    fixed = apply_changes(stale, ConsultationChanges(description="x", closes_at=later + DAY), later)
    assert (fixed.description, fixed.status_at(later)) == ("x", ConsultationStatus.DRAFT)


# ---------------------------------------------------------------- publishing


def test_publishing_opens_at_once_or_schedules_for_the_opening_date():
    opened = publish(draft(), NOW)
    assert opened.published_at == NOW
    assert opened.status_at(NOW) is ConsultationStatus.OPEN
    scheduled = publish(draft(opens_at=NOW + DAY), NOW)
    assert scheduled.status_at(NOW) is ConsultationStatus.SCHEDULED


def test_publishing_twice_is_refused():
    with pytest.raises(AlreadyPublished):
        publish(publish(draft(), NOW), NOW + MS)


def test_a_draft_whose_closing_date_passed_cannot_be_published():
    with pytest.raises(ValidationFailed) as raised:
        publish(draft(closes_at=NOW), NOW)
    assert refusal_fields(raised) == [("closes_at", "in_the_past")]


# ---------------------------------------------------------------- standings


def caller(sub: str = "bob", **claims) -> Caller:
    return Caller(sub, name=sub.title(), **claims)


def test_without_a_token_one_is_anonymous_and_nothing_else():
    roles = {HOST: Role.ADMIN}
    assert standings_of(published(), None, roles, Role.ADMIN, ("bob",)) == {Outsider.ANONYMOUS}


@pytest.mark.parametrize(
    ("claims", "verified"),
    [
        ({}, False),
        ({"email": "bob@example.org"}, False),
        ({"email": "bob@example.org", "email_verified": True}, True),
        ({"identity_verified": True}, True),
    ],
)
def test_verified_means_a_verified_email_or_a_checked_identity(claims, verified):
    held = standings_of(published(), caller(**claims), {}, None)
    assert Outsider.SIGNED_IN in held
    assert (Outsider.VERIFIED in held) is verified


def test_a_host_member_holds_their_role_and_other_groups_are_ignored():
    roles = {HOST: Role.PARTICIPANT, ELSEWHERE: Role.ADMIN}
    held = standings_of(published(), caller(), roles, None)
    assert held == {Outsider.SIGNED_IN, Role.PARTICIPANT}


@pytest.mark.parametrize(
    ("role", "inside"),
    [
        (Role.OBSERVER, False),
        (Role.PARTICIPANT, False),
        (Role.AUTHOR, True),
        (Role.MODERATOR, False),
        (Role.ADMIN, True),
    ],
)
def test_a_restricted_consultation_admits_its_audience_roles_and_always_admins(role, inside):
    board = published(visibility=ConsultationVisibility.RESTRICTED, audience=(Role.AUTHOR,))
    held = standings_of(board, caller(), {HOST: role}, None)
    assert (role in held) is inside
    assert board.admits_host_role(role) is inside


def test_accepted_partners_count_with_their_own_role_pending_ones_do_not():
    shared = published(partners={PARTNER: PartnerStatus.ACCEPTED, PENDING: PartnerStatus.PENDING})
    assert shared.accepted_partners == [PARTNER]
    held = standings_of(shared, caller(), {PARTNER: Role.AUTHOR}, None)
    assert PartnerRole.AUTHOR in held
    held = standings_of(shared, caller(), {PENDING: Role.ADMIN}, None)
    assert held == {Outsider.SIGNED_IN}


def test_partners_are_ignored_in_a_restricted_consultation():
    board = published(
        visibility=ConsultationVisibility.RESTRICTED,
        audience=(Role.OBSERVER,),
        partners={PARTNER: PartnerStatus.ACCEPTED},
    )
    held = standings_of(board, caller(), {PARTNER: Role.ADMIN}, None)
    assert held == {Outsider.SIGNED_IN}


def test_a_grant_counts_even_outside_the_host_and_its_audience():
    board = published(visibility=ConsultationVisibility.RESTRICTED, audience=(Role.ADMIN,))
    held = standings_of(board, caller(), {HOST: Role.OBSERVER}, Role.MODERATOR)
    assert held == {Outsider.SIGNED_IN, GrantRole.MODERATOR}


def test_creators_hold_the_creator_standing_and_nobody_else_does():
    consultation = published()
    member = {HOST: Role.AUTHOR}
    assert Relation.CREATOR in standings_of(consultation, caller("alice"), member, None, ("alice",))
    assert Relation.CREATOR in standings_of(
        consultation, caller("dora"), member, None, ("alice", "dora")
    )
    assert Relation.CREATOR not in standings_of(
        consultation, caller("bob"), member, None, ("alice",)
    )
    assert Relation.CREATOR not in standings_of(consultation, caller("alice"), member, None)


def test_a_creator_who_no_longer_belongs_loses_the_creator_standing():
    board = published(visibility=ConsultationVisibility.RESTRICTED, audience=(Role.ADMIN,))
    gone = standings_of(board, caller("alice"), {}, None, ("alice",))
    assert gone == {Outsider.SIGNED_IN}
    by_grant = standings_of(board, caller("alice"), {}, Role.OBSERVER, ("alice",))
    assert Relation.CREATOR in by_grant


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.PARTICIPANT, Role.AUTHOR, Role.MODERATOR])
def test_a_creator_outside_a_restricted_audience_holds_no_creator_standing(role):
    """Creator rights hold only while the creator can see the consultation: a host member
    demoted out of the audience is an outsider to it, creator or not."""
    board = published(visibility=ConsultationVisibility.RESTRICTED, audience=(Role.ADMIN,))
    held = standings_of(board, caller("alice"), {HOST: role}, None, ("alice",))
    assert held == {Outsider.SIGNED_IN}
    inside = replace(board, audience=(role, Role.ADMIN))
    held = standings_of(inside, caller("alice"), {HOST: role}, None, ("alice",))
    assert held == {Outsider.SIGNED_IN, role, Relation.CREATOR}


def test_a_creator_in_a_partner_association_only_is_inside_where_partners_are():
    partners = {PARTNER: PartnerStatus.ACCEPTED}
    shared = published(partners=partners)
    held = standings_of(shared, caller("alice"), {PARTNER: Role.AUTHOR}, None, ("alice",))
    assert held == {Outsider.SIGNED_IN, PartnerRole.AUTHOR, Relation.CREATOR}
    board = published(
        visibility=ConsultationVisibility.RESTRICTED, audience=(Role.ADMIN,), partners=partners
    )
    held = standings_of(board, caller("alice"), {PARTNER: Role.ADMIN}, None, ("alice",))
    assert held == {Outsider.SIGNED_IN}
    withdrawn = published(partners={PARTNER: PartnerStatus.PENDING})
    held = standings_of(withdrawn, caller("alice"), {PARTNER: Role.ADMIN}, None, ("alice",))
    assert held == {Outsider.SIGNED_IN}


def test_a_creator_of_a_public_consultation_who_left_keeps_only_what_everyone_has():
    town = published(
        visibility=ConsultationVisibility.PUBLIC, participation=Participation.SIGNED_IN
    )
    held = standings_of(town, caller("alice"), {}, None, ("alice",))
    assert held == {Outsider.SIGNED_IN}


@pytest.mark.parametrize(
    ("role", "grant", "holds"),
    [
        (Role.AUTHOR, None, True),
        (Role.ADMIN, None, True),
        (Role.PARTICIPANT, None, False),
        (Role.OBSERVER, None, False),
        (Role.OBSERVER, Role.AUTHOR, True),
        (Role.OBSERVER, Role.PARTICIPANT, False),
    ],
)
def test_a_draft_stays_its_creators_only_while_they_may_author(role, grant, holds):
    """Demoted below author, the creator of a draft no longer holds it: they could not
    create it now, and nobody but authors sees drafts."""
    held = standings_of(draft(), caller("alice"), {HOST: role}, grant, ("alice",))
    assert (Relation.CREATOR in held) is holds
