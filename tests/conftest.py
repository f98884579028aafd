"""People and ready-made situations, named for who and what they are."""

import uuid
from typing import Any, NamedTuple

import pytest
from django.test import override_settings
from django.utils import translation

from certification.models import Role
from config import backends as config_backends

from . import factories


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Each test starts in English (the source language), whatever an earlier test activated."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def catalogue_present(request):
    """The track catalogue, put back if a transactional test's flush took it (factories.ensure_catalogue)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        yield
        return
    request.getfixturevalue("db")
    factories.ensure_catalogue()
    yield


@pytest.fixture(scope="session", autouse=True)
def signing_key(tmp_path_factory):
    """The office's keys for the session, in a temporary directory: the PDF signing key (EC P-256,
    self-signed) and the Ed25519 key of the QR statements and credentials, which every issuance
    uses, in any test package."""
    from django.conf import settings

    from certificates import office_keys, signing

    directory = tmp_path_factory.mktemp("signing")
    previous = settings.CERT_SIGNING_KEY
    settings.CERT_SIGNING_KEY = str(directory)
    signing.create_signing_key(directory=directory, common_name="测试认定中心", organisation="测试认定中心")
    office_keys.create_credential_key(directory=directory)
    yield directory
    settings.CERT_SIGNING_KEY = previous


@pytest.fixture
def inst1(db):
    return factories.institution("杭州时尚职业培训学校")


@pytest.fixture
def inst2(db):
    return factories.institution("宁波服装技能培训中心")


@pytest.fixture
def officer(db):
    return factories.user("officer", Role.OFFICER)


@pytest.fixture
def assessor(db, inst2):
    # Affiliated with institution 2, so never conflicted with institution 1's candidates.
    return factories.user("assessor1", Role.ASSESSOR, institution=inst2)


@pytest.fixture
def assessor2(db):
    return factories.user("assessor2", Role.ASSESSOR)


@pytest.fixture
def inst1_staff(db, inst1):
    return factories.user("inst1", Role.INSTITUTION, institution=inst1)


@pytest.fixture
def inst2_staff(db, inst2):
    return factories.user("inst2", Role.INSTITUTION, institution=inst2)


@pytest.fixture
def draft_enrolment(inst1_staff):
    return factories.draft_enrolment(inst1_staff, "PM")


@pytest.fixture
def submitted_enrolment(draft_enrolment, inst1_staff, officer):
    return factories.advance(draft_enrolment, staff=inst1_staff, officer=officer, to="submitted")


@pytest.fixture
def enrolled_enrolment(draft_enrolment, inst1_staff, officer):
    return factories.advance(draft_enrolment, staff=inst1_staff, officer=officer, to="enrolled")


@pytest.fixture
def enrolment_ready_for_review(draft_enrolment, inst1_staff, officer):
    return factories.advance(draft_enrolment, staff=inst1_staff, officer=officer, to="under_review")


@pytest.fixture
def trainee_user(enrolled_enrolment):
    """The trainee of an approved enrolment: their account exists (login = ID number)."""
    return enrolled_enrolment.trainee.user


# --- an S3-compatible object store on a loopback port (moto's server mode), for storage tests ------


class Bucket(NamedTuple):
    client: Any  # boto3's S3 client
    bucket: str

    def objects(self) -> dict[str, bytes]:
        """Every object in the bucket: name -> content."""
        listed = self.client.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return {
            item["Key"]: self.client.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read() for item in listed
        }


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_server):
    """A fresh bucket on the local server, made the default storage as the environment would."""
    bucket = f"certs-{uuid.uuid4().hex[:12]}"
    environment = {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_S3_ADDRESSING_STYLE": "path",
    }
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(Bucket=bucket)
    storages = {
        "default": config_backends.default_storage(environment),
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield Bucket(client, bucket)


def objects_in(client, bucket) -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() for item in listed}
