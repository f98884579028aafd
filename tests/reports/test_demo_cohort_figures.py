"""The demo's first cohort, end to end (issue 11's "done means"): `seed_demo --cohort N`, every
candidate ready to issue issued, then the statistics page, its xlsx and the programme report's PDF
all say N = the split_cohort(N) split, trainee1 included, and the same numbers as the rows.

A cohort of 30 (11 + 10 + 9) walks the same code as `make run`'s 885 (330 + 299 + 256) in a
fraction of the time; split_cohort(885)'s own test pins the 885 split.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import override_settings

from certificates import services as certificates
from certification.models import Enrolment, EnrolmentStatus, StateLog, Track, User
from demo import people as demo_people

from ..workflows.test_statistics_page import sheets, tables
from .test_programme_report import OFFICER_REPORT, headline, pdf_text

pytestmark = pytest.mark.django_db

COHORT = 30


@pytest.fixture
def issued_demo(fast_rendering):
    with override_settings(DEBUG=True):
        call_command("seed_demo", cohort=COHORT, stdout=StringIO())
    officer = User.objects.get(username="officer")
    for pk in Enrolment.objects.filter(status=EnrolmentStatus.READY_TO_ISSUE).values_list("pk", flat=True):
        certificates.issue_certificate(officer=officer, enrolment_id=pk)
    return officer


def from_the_rows(transition: str, name: str) -> dict[str, int]:
    """Counted independently of the figures: the state log's moves, by track (`name` field)."""
    rows = StateLog.objects.filter(transition=transition).values_list(f"enrolment__track__{name}")
    return dict(rows.order_by().annotate(n=Count("pk")))


def page_sentence(text: str, which: str) -> tuple[int, dict[str, int]]:
    """'30 people certified: Pattern-making 11, Garment craft 10, New-media marketing 9.' → numbers."""
    match = re.search(rf"(\d+) (?:people|person) {which}(?:: (.*?))?\.\s*<", text)
    assert match, text
    parts = {name: int(n) for name, n in re.findall(r"([^,\d]+?) (\d+)(?:, |$)", match.group(2) or "")}
    return int(match.group(1)), {name.strip(): n for name, n in parts.items()}


def column_totals(rows: list[list]) -> dict[str, int]:
    """A monthly table (month, one column per track, total) summed per track column."""
    header, *body = rows
    return {name: int(sum(row[1 + i] for row in body)) for i, name in enumerate(header[1:-1])}


def test_the_demo_cohort_is_certified_in_its_split_on_the_page_in_the_xlsx_and_in_the_report(client, issued_demo):
    split = demo_people.split_cohort(COHORT)
    assert split == {"PM": 11, "CR": 10, "NM": 9}
    english = dict(Track.objects.values_list("code", "name_en"))
    chinese = dict(Track.objects.values_list("code", "name_zh"))
    certified = {english[code]: n for code, n in split.items()}
    assert from_the_rows("issue", "name_en") == certified  # trainee1 among the 10 garment-craft ones
    trained = from_the_rows("complete_training", "name_en")
    assert sum(trained.values()) > COHORT  # the demo trainees still in flight were trained too
    client.force_login(issued_demo)

    response = client.get("/officer/statistics/")  # no filter chosen
    page = response.content.decode()
    assert page_sentence(page, "certified") == (COHORT, certified)
    assert page_sentence(page, "trained") == (sum(trained.values()), trained)
    shown = tables(response)
    assert column_totals(shown["certified_monthly"]) == certified
    assert column_totals(shown["trained_monthly"]) == trained

    workbook = sheets(client.get("/officer/statistics/certified_monthly.xlsx"))
    assert column_totals(next(iter(workbook.values()))) == certified

    text = pdf_text(client.get(OFFICER_REPORT))
    assert headline(text) == (sum(trained.values()), from_the_rows("complete_training", "name_zh"))
    in_chinese = "、".join(f"{chinese[code]}{n}人" for code, n in split.items())
    assert f"同期共有{COHORT}人取得职业技能等级证书，其中{in_chinese}。" in text
