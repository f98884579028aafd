"""Names and labels (docs/spec.md §6): 姓名 for a person, 名称 for a batch or an institution; people
by their real names, not their logins; what each role sees of a candidate."""

from django.urls import reverse

from certification.models import Role
from exchange.models import ImportSession
from workflows.assessment import services

from . import factories

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def named(username, role, full_name, institution=None):
    """The whole name goes in first_name, as the office's account forms and seed_demo put it."""
    person = factories.user(username, role, institution=institution)
    person.first_name = full_name
    person.save()
    return person


def test_the_trainee_form_asks_for_the_full_name_and_the_batch_form_for_the_name(client, inst1_staff):
    client.force_login(inst1_staff)
    trainee_form = client.get(reverse("institution:trainee_create"), **CHINESE).content.decode()
    batch_form = client.get(reverse("institution:batch_create"), **CHINESE).content.decode()
    assert '<label for="id_name">姓名' in trainee_form
    assert '<label for="id_name">名称' in batch_form


def test_the_batch_and_institution_lists_head_the_name_column_as_a_name_not_a_persons_name(
    client, inst1_staff, officer
):
    client.force_login(inst1_staff)
    factories.batch(inst1_staff.institution)
    batches = client.get(reverse("institution:batches")).content.decode()
    assert "<th>Batch name</th>" in batches
    client.force_login(officer)
    institutions = client.get(reverse("officer:institutions"), **CHINESE).content.decode()
    assert "培训机构名称" in institutions and ">姓名<" not in institutions


def test_the_assign_list_and_the_claimed_by_column_show_real_names(client, officer, inst1_staff):
    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff, "CR"), staff=inst1_staff, officer=officer, to="under_review"
    )
    task = factories.open_review_task(enrolment)
    named("assessor-li", Role.ASSESSOR, "李娜")
    wang = named("assessor-wang", Role.ASSESSOR, "王强")
    client.force_login(officer)
    review = client.get(reverse("assessment:review", args=[task.pk])).content.decode()
    assert "李娜" in review and "王强" in review and "assessor-li" not in review

    services.claim_task(assessor=wang, task_id=task.pk)
    queue = client.get(reverse("assessment:queue")).content.decode()
    assert "王强" in queue and "assessor-wang" not in queue


def test_the_exchange_page_says_who_uploaded_by_their_real_name(client, inst1):
    staff = named("inst1-zhao", Role.INSTITUTION, "赵敏", institution=inst1)
    ImportSession.objects.create(
        institution=inst1, uploaded_by=staff, imported_by=staff, kind="enrolments", original_name="a.xlsx", sha256="0"
    )
    client.force_login(staff)
    page = client.get(reverse("exchange:index")).content.decode()
    assert "赵敏" in page.split("</header>")[1] and "inst1-zhao" not in page


def test_the_assessor_sees_the_full_name_and_only_the_last_four_on_the_dashboard_as_in_the_queue(
    client, assessor, officer, inst1_staff
):
    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff, "CR"), staff=inst1_staff, officer=officer, to="under_review"
    )
    factories.open_review_task(enrolment)
    trainee = enrolment.trainee
    client.force_login(assessor)
    for url in (reverse("dashboard"), reverse("assessment:queue")):
        page = client.get(url).content.decode()
        assert trainee.name in page, url
        assert trainee.masked_id_number not in page and trainee.id_number[:3] + "*" not in page, url
    assert f"****{trainee.id_number[-4:]}" in client.get(reverse("dashboard")).content.decode()


def test_every_filter_box_has_a_label_the_export_search_box_included(client, officer):
    client.force_login(officer)
    for url in (
        reverse("exchange:index"),
        reverse("enrolments:list"),
        reverse("assessment:queue"),
        reverse("certificates:list"),
    ):
        page = client.get(url).content.decode()
        filters = page.split('class="filters"')[1].split("</form>")[0]
        for field_id in ("id_q", "id_track"):
            if f'id="{field_id}"' in filters:
                assert f'<label for="{field_id}">' in filters, (url, field_id)
