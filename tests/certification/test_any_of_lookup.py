"""field__any_of: the same rows as field__in, with the list as one parameter on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.models import Enrolment, Trainee

from .. import factories

pytestmark = pytest.mark.django_db


def test_it_finds_what_in_finds(inst1, inst1_staff):
    trainees = [factories.trainee(inst1, name=f"学员{n}") for n in range(5)]
    wanted = [trainees[0].pk, trainees[3].pk, 10**9]

    assert set(Trainee.objects.filter(pk__any_of=wanted)) == set(Trainee.objects.filter(pk__in=wanted))
    assert set(Trainee.objects.filter(pk__any_of=wanted)) == {trainees[0], trainees[3]}


def test_it_matches_text_columns_and_follows_relations(inst1_staff):
    enrolment = factories.draft_enrolment(inst1_staff)
    number = enrolment.trainee.id_number

    assert list(Trainee.objects.filter(id_number__any_of={number, "not-a-number"})) == [enrolment.trainee]
    assert list(Enrolment.objects.filter(trainee__pk__any_of=[enrolment.trainee_id])) == [enrolment]


def test_an_empty_list_matches_nothing_without_a_query(inst1):
    factories.trainee(inst1)

    with CaptureQueriesContext(connection) as queries:
        assert list(Trainee.objects.filter(pk__any_of=[])) == []
    assert queries.captured_queries == []


def test_a_thousand_values_are_one_parameter_on_postgresql(inst1):
    trainee = factories.trainee(inst1)
    values = [trainee.pk, *range(10**9, 10**9 + 999)]

    with CaptureQueriesContext(connection) as queries:
        assert list(Trainee.objects.filter(pk__any_of=values)) == [trainee]

    sql = queries.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
    else:
        assert sql.count(", ") >= 999
