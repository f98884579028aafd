from certification.models import ModuleCompletion


def url(enrolment):
    return f"/enrolments/{enrolment.pk}/completions/"


def rows(enrolment, hours):
    return {f"hours_{m.pk}": str(hours) for m in enrolment.track.modules.all()}


def test_staff_record_hours_for_every_module(client, inst1_staff, enrolled_enrolment):
    client.force_login(inst1_staff)
    response = client.post(url(enrolled_enrolment), rows(enrolled_enrolment, 80))
    assert response.status_code == 302
    assert ModuleCompletion.objects.filter(enrolment=enrolled_enrolment).count() == 3


def test_negative_hours_change_nothing(client, inst1_staff, enrolled_enrolment):
    client.force_login(inst1_staff)
    data = rows(enrolled_enrolment, 80)
    data[next(iter(data))] = "-1"
    assert client.post(url(enrolled_enrolment), data).status_code == 400
    assert not ModuleCompletion.objects.filter(enrolment=enrolled_enrolment).exists()


def test_before_approval_it_is_refused_with_409(client, inst1_staff, draft_enrolment):
    client.force_login(inst1_staff)
    assert client.post(url(draft_enrolment), rows(draft_enrolment, 80)).status_code == 409


def test_officer_is_refused(client, officer, enrolled_enrolment):
    client.force_login(officer)
    assert client.get(url(enrolled_enrolment)).status_code == 403


def test_another_institution_gets_404(client, inst2_staff, enrolled_enrolment):
    client.force_login(inst2_staff)
    assert client.get(url(enrolled_enrolment)).status_code == 404


def test_anonymous_goes_to_login(client, enrolled_enrolment):
    assert client.get(url(enrolled_enrolment)).status_code == 302
