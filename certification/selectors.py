"""What a user may see. Views look objects up through these, so another institution's object is
simply not found (404) rather than forbidden (which would confirm it exists)."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from . import permissions
from .identity import normalise_id_number
from .models import (
    Enrolment,
    EnrolmentStatus,
    Institution,
    ScoreChange,
    StateLog,
    TrackQuota,
    Trainee,
    TrainingBatch,
    User,
    VettingDecision,
)
from .models.enrolments import QUOTA_STATUSES


def enrolments_visible_to(user: User) -> QuerySet[Enrolment]:
    base = Enrolment.objects.select_related("trainee", "batch__institution", "track")
    if permissions.is_officer(user):
        return base
    if (institution_id := permissions.institution_of_staff(user)) is not None:
        return base.filter(batch__institution_id=institution_id)
    if permissions.is_trainee(user):
        return base.filter(trainee__user=user)
    if permissions.is_assessor(user):
        # Assessors see candidates in assessment, never those they are conflicted with.
        return base.filter(status__in=permissions.ASSESSOR_VISIBLE_STATUSES).exclude(
            permissions.conflicted_enrolments(user)
        )
    return base.none()


def trainees_visible_to(user: User) -> QuerySet[Trainee]:
    if permissions.is_officer(user):
        return Trainee.objects.select_related("institution")
    if (institution_id := permissions.institution_of_staff(user)) is not None:
        return Trainee.objects.select_related("institution").filter(institution_id=institution_id)
    return Trainee.objects.none()


def trainees_with_ids(keys) -> QuerySet[Trainee]:
    """Every trainee (of any institution) with one of these (ID type, ID number) pairs. Filtered by
    type and number together, so that the database uses the unique index on the pair."""
    numbers_by_type: dict[str, set[str]] = {}
    for id_type, id_number in keys:
        numbers_by_type.setdefault(id_type, set()).add(id_number)
    if not numbers_by_type:
        return Trainee.objects.none()
    condition = Q()
    for id_type, numbers in numbers_by_type.items():
        condition |= Q(id_type=id_type, id_number__any_of=numbers)
    return Trainee.objects.filter(condition)


def batches_visible_to(user: User) -> QuerySet[TrainingBatch]:
    base = TrainingBatch.objects.select_related("institution", "track").annotate(
        enrolment_count=Count("enrolments", filter=~Q(enrolments__status=EnrolmentStatus.WITHDRAWN))
    )
    if permissions.is_officer(user):
        return base
    if (institution_id := permissions.institution_of_staff(user)) is not None:
        return base.filter(institution_id=institution_id)
    return base.none()


def institutions_visible_to(user: User) -> QuerySet[Institution]:
    if permissions.is_officer(user):
        return Institution.objects.all()
    if (institution_id := permissions.institution_of_staff(user)) is not None:
        return Institution.objects.filter(pk=institution_id)
    return Institution.objects.none()


def history_of(enrolment: Enrolment) -> QuerySet[StateLog]:
    return enrolment.state_logs.select_related("actor").order_by("created_at", "pk")


def score_history_of(enrolment: Enrolment) -> QuerySet[ScoreChange]:
    """Every change to the enrolment's module completions and exam scores, oldest first."""
    return enrolment.score_changes.select_related("actor", "module", "attempt").order_by("created_at", "pk")


def score_history_of_many(enrolments: QuerySet[Enrolment]) -> QuerySet[ScoreChange]:
    """The score history of these enrolments, each row with its enrolment's trainee, batch and track;
    by enrolment, oldest change first."""
    return (
        ScoreChange.objects.filter(enrolment__in=enrolments.order_by().values("pk"))
        .select_related(
            "actor", "module", "attempt", "enrolment__trainee", "enrolment__batch__institution", "enrolment__track"
        )
        .order_by("enrolment_id", "created_at", "pk")
    )


def vetting_decisions_of(institution: Institution) -> QuerySet[VettingDecision]:
    return institution.vetting_decisions.select_related("officer").order_by("created_at", "pk")


def status_counts(enrolments: QuerySet[Enrolment]) -> dict[str, int]:
    rows = enrolments.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def name_contains(text: str, field: str = "name") -> Q:
    """A substring search of a name: case-insensitive only when the text has letters with a case.
    Chinese has none, and UPPER() of every name is most of the cost of scanning 100,000 of them."""
    if text.upper() == text.lower():
        return Q(**{f"{field}__contains": text})
    return Q(**{f"{field}__icontains": text})


def search_enrolments(
    queryset: QuerySet[Enrolment], *, text: str = "", status: str = "", track: str = "", batch: str = ""
) -> QuerySet[Enrolment]:
    if text:
        # The enrolments of the matching trainees and of the matching batches, as a UNION of ids: each
        # half is a join on an indexed key, so PostgreSQL sorts the few matches instead of walking every
        # enrolment in the list's order and testing each against the two lists (an OR of two
        # subqueries, which it estimates as most of the table; docs/performance.md).
        trainees = Trainee.objects.filter(name_contains(text) | Q(id_number=normalise_id_number(text)))
        batches = TrainingBatch.objects.filter(name_contains(text))
        matching = (
            Enrolment.objects.filter(trainee_id__in=trainees.values("pk"))
            .order_by()
            .values("pk")
            .union(Enrolment.objects.filter(batch_id__in=batches.values("pk")).order_by().values("pk"))
        )
        queryset = queryset.filter(pk__in=matching)
    if status:
        queryset = queryset.filter(status=status)
    if track:
        queryset = queryset.filter(track__code=track)
    if batch.isdigit():
        queryset = queryset.filter(batch_id=int(batch))
    return queryset


# Quotas and their use (the officer's institution pages) -----------------------------------------


def approved_enrolment_count(*, institution_id: int, track_id: int, year: int) -> int:
    """Enrolments counted against the quota, the same way services._check_quota counts them."""
    return Enrolment.objects.filter(
        batch__institution_id=institution_id,
        track_id=track_id,
        batch__start_date__year=year,
        status__in=QUOTA_STATUSES,
    ).aggregate(n=Count("pk"))["n"]


def quotas_with_usage():
    """Quota rows, each annotated with `used`: the enrolments approved against it."""
    approved = (
        Enrolment.objects.filter(
            batch__institution_id=OuterRef("institution_id"),
            track_id=OuterRef("track_id"),
            batch__start_date__year=OuterRef("year"),
            status__in=QUOTA_STATUSES,
        )
        .order_by()
        .values("track_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return TrackQuota.objects.select_related("track").annotate(used=Coalesce(Subquery(approved), 0))


def quota_table(institution, tracks) -> list[dict]:
    """Rows of years (newest first) × the tracks' cells: quota, approved enrolments, and whether over."""
    quotas = {(row.year, row.track_id): row.quota for row in institution.quotas.all()}
    used = {
        (row["year"], row["track_id"]): row["n"]
        for row in Enrolment.objects.filter(batch__institution=institution, status__in=QUOTA_STATUSES)
        .order_by()
        .values("track_id", year=ExtractYear("batch__start_date"))
        .annotate(n=Count("pk"))
    }
    years = sorted(
        {year for year, _track in quotas} | {year for year, _track in used} | {timezone.localdate().year}, reverse=True
    )
    rows = []
    for year in years:
        cells = []
        for track in tracks:
            quota, approved = quotas.get((year, track.pk)), used.get((year, track.pk), 0)
            cells.append({"quota": quota, "used": approved, "full": quota is not None and approved >= quota})
        rows.append({"year": year, "cells": cells})
    return rows
