"""What the API reads and writes. Reads are shaped here; writes are parsed here and decided by the
services (the same rules and messages as the pages). Who sees which part of a person follows
docs/spec.md §6: the office and the trainee's own institution see the full name and ID number."""

from rest_framework import serializers

from certificates.models import Certificate, IssuanceRun
from certification.models import (
    AssessmentAttempt,
    Education,
    Enrolment,
    EnrolmentStatus,
    EvidenceFile,
    EvidenceKind,
    Gender,
    IdType,
    Level,
    Module,
    ModuleCompletion,
    Track,
    Trainee,
    TrainingBatch,
)

from .models import KeyAccess


class TrackField(serializers.SlugRelatedField):
    """A track by its code (PM, CR, NM)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)


# Tracks and their modules ---------------------------------------------------------------------------


class ModuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "code", "name_zh", "name_en", "min_hours", "is_required", "evidence_required", "position"]


class TrackSerializer(serializers.ModelSerializer):
    modules = ModuleSerializer(many=True, read_only=True)

    class Meta:
        model = Track
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "pass_mark_theory",
            "pass_mark_practical",
            "requires_3d_evidence",
            "is_active",
            "modules",
        ]


# Batches ------------------------------------------------------------------------------------------


class BatchSerializer(serializers.ModelSerializer):
    track = serializers.CharField(source="track.code", read_only=True)
    institution = serializers.IntegerField(source="institution_id", read_only=True)
    enrolment_count = serializers.IntegerField(read_only=True, help_text="Enrolments holding a place (not withdrawn).")

    class Meta:
        model = TrainingBatch
        fields = [
            "id",
            "institution",
            "name",
            "track",
            "level",
            "start_date",
            "end_date",
            "capacity",
            "enrolment_count",
        ]


class BatchWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=128)
    track = TrackField(queryset=Track.objects.filter(is_active=True), help_text="Track code: PM, CR or NM.")
    level = serializers.ChoiceField(choices=Level.choices, default=Level.FOUR)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    capacity = serializers.IntegerField(min_value=1, max_value=100000, default=50)


class BatchUpdateSerializer(BatchWriteSerializer):
    # An existing batch keeps its track even once the track is closed for new batches.
    track = TrackField(queryset=Track.objects.all(), help_text="Track code: PM, CR or NM.")


# Trainees -----------------------------------------------------------------------------------------


class TraineeSerializer(serializers.ModelSerializer):
    institution = serializers.IntegerField(source="institution_id", read_only=True)
    has_account = serializers.SerializerMethodField()

    class Meta:
        model = Trainee
        fields = [
            "id",
            "institution",
            "name",
            "id_type",
            "id_number",
            "gender",
            "birth_date",
            "ethnicity",
            "education",
            "phone",
            "employer",
            "years_in_trade",
            "address",
            "has_account",
            "created_at",
            "updated_at",
        ]

    def get_has_account(self, trainee) -> bool:
        return trainee.user_id is not None


class TraineeWriteSerializer(serializers.Serializer):
    """The fields of the trainee form; the ID checks (normalised number, a resident ID's check digit
    and birth date, one trainee per ID) are the registration service's, as for the page."""

    name = serializers.CharField(max_length=64)
    id_type = serializers.ChoiceField(choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = serializers.CharField(max_length=32)
    gender = serializers.ChoiceField(choices=Gender.choices)
    birth_date = serializers.DateField()
    ethnicity = serializers.CharField(max_length=32, default="汉族")
    education = serializers.ChoiceField(choices=Education.choices)
    phone = serializers.CharField(max_length=20)
    employer = serializers.CharField(max_length=128, allow_blank=True, default="")
    years_in_trade = serializers.IntegerField(min_value=0, max_value=70, default=0)
    address = serializers.CharField(max_length=255, allow_blank=True, default="")


# Enrolments ---------------------------------------------------------------------------------------


class TraineeBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Trainee
        fields = ["id", "name", "id_type", "id_number"]


class EnrolmentSerializer(serializers.ModelSerializer):
    trainee = TraineeBriefSerializer(read_only=True)
    batch = serializers.IntegerField(source="batch_id", read_only=True)
    institution = serializers.IntegerField(source="batch.institution_id", read_only=True)
    track = serializers.CharField(source="track.code", read_only=True)
    level = serializers.IntegerField(source="batch.level", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "trainee",
            "batch",
            "institution",
            "track",
            "level",
            "status",
            "status_changed_at",
            "approved_at",
            "publicity_ends_on",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, enrolment):
        # The same fields as declared (the schema reads those), built directly: a page of 100 is
        # the API's busiest answer, and DRF's field-by-field walk was most of its time.
        trainee, batch, when = enrolment.trainee, enrolment.batch, _DATETIME.to_representation
        return {
            "id": enrolment.pk,
            "trainee": {
                "id": trainee.pk,
                "name": trainee.name,
                "id_type": trainee.id_type,
                "id_number": trainee.id_number,
            },
            "batch": enrolment.batch_id,
            "institution": batch.institution_id,
            "track": enrolment.track.code,
            "level": batch.level,
            "status": enrolment.status,
            "status_changed_at": when(enrolment.status_changed_at),
            "approved_at": when(enrolment.approved_at) if enrolment.approved_at else None,
            "publicity_ends_on": enrolment.publicity_ends_on.isoformat() if enrolment.publicity_ends_on else None,
            "created_at": when(enrolment.created_at),
            "updated_at": when(enrolment.updated_at),
        }


_DATETIME = serializers.DateTimeField()
# What EnrolmentSerializer reads, for lists that load only these columns.
ENROLMENT_COLUMNS = (
    "status",
    "status_changed_at",
    "approved_at",
    "publicity_ends_on",
    "created_at",
    "updated_at",
    "batch_id",
    "track_id",
    "trainee_id",
    "trainee__name",
    "trainee__id_type",
    "trainee__id_number",
    "batch__institution_id",
    "batch__level",
    "track__code",
)


class EnrolmentCreateSerializer(serializers.Serializer):
    trainee = serializers.IntegerField(min_value=1, help_text="A trainee of your institution.")
    batch = serializers.IntegerField(min_value=1, help_text="A training batch of your institution.")


class MoveSerializer(serializers.Serializer):
    expected_status = serializers.ChoiceField(
        choices=EnrolmentStatus.choices,
        required=False,
        help_text="The status you last saw: if someone moved the enrolment since, the move is refused (409).",
    )


class ReasonMoveSerializer(MoveSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Why (kept in the enrolment's history).")


# Module completions ---------------------------------------------------------------------------------


class CompletionSerializer(serializers.ModelSerializer):
    module = serializers.IntegerField(source="module_id", read_only=True)
    module_code = serializers.CharField(source="module.code", read_only=True)
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = ModuleCompletion
        fields = ["id", "module", "module_code", "hours", "score", "has_evidence", "recorded_at"]

    def get_has_evidence(self, completion) -> bool:
        return bool(completion.evidence)


class CompletionWriteSerializer(serializers.Serializer):
    module = serializers.IntegerField(min_value=1, help_text="A module of the enrolment's track (see `modules`).")
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0, max_value=2000)
    score = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False, allow_null=True
    )
    evidence = serializers.FileField(required=False, help_text="Multipart only: PDF, PNG, JPEG or a 3D model file.")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# Results ---------------------------------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvidenceFile
        fields = ["id", "kind", "original_name", "size", "uploaded_at"]


class AttemptSerializer(serializers.ModelSerializer):
    evidence_files = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = AssessmentAttempt
        fields = [
            "number",
            "exam_date",
            "theory_score",
            "practical_score",
            "theory_carried_over",
            "practical_carried_over",
            "submitted_at",
            "outcome",
            "reason",
            "evidence_files",
        ]


class ResultsSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField()
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    attempt = AttemptSerializer(allow_null=True)
    missing = serializers.CharField(help_text="What still stops submission; empty when results can be submitted.")


class ScoresWriteSerializer(serializers.Serializer):
    theory_score = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, max_value=100, allow_null=True, required=False
    )
    practical_score = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, max_value=100, allow_null=True, required=False
    )
    exam_date = serializers.DateField(help_text="Not in the future, not before the batch started.")


class EvidenceUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    file = serializers.FileField()


# Certificates ------------------------------------------------------------------------------------------


class CertificateSerializer(serializers.ModelSerializer):
    enrolment = serializers.IntegerField(source="enrolment_id", read_only=True)
    batch = serializers.IntegerField(source="enrolment.batch_id", read_only=True)
    institution = serializers.IntegerField(source="enrolment.batch.institution_id", read_only=True)
    track = serializers.CharField(source="track_code", read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "status",
            "enrolment",
            "batch",
            "institution",
            "track",
            "holder_name",
            "holder_id_type",
            "holder_id_number_masked",
            "title",
            "level",
            "level_label",
            "issue_date",
            "institution_name",
            "issuer_name",
            "revoked_at",
            "superseded_at",
        ]


class CertificateDetailSerializer(CertificateSerializer):
    supersedes = serializers.CharField(source="supersedes.number", default=None, read_only=True)
    superseded_by = serializers.SerializerMethodField()

    class Meta(CertificateSerializer.Meta):
        fields = CertificateSerializer.Meta.fields + [
            "occupation",
            "direction",
            "modules",
            "verify_url",
            "sha256",
            "pdf_size",
            "issued_at",
            "revoked_reason",
            "correction_reason",
            "supersedes",
            "superseded_by",
        ]

    def get_superseded_by(self, certificate) -> str | None:
        successor = getattr(certificate, "superseded_by", None)
        return successor.number if successor else None


class PublicCertificateSerializer(serializers.Serializer):
    """What anyone may know (certificates.verification.public_facts): masked name and ID, no photo."""

    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    holder = serializers.CharField(help_text="Masked: the surname and stars (张*).")
    id_type = serializers.CharField()
    id_number = serializers.CharField(help_text="Masked: the first 3 and last 4 characters.")
    occupation = serializers.CharField()
    direction = serializers.CharField()
    title = serializers.CharField()
    level = serializers.IntegerField()
    level_label = serializers.CharField()
    issue_date = serializers.DateField()
    issuer = serializers.CharField()
    revoked_on = serializers.DateField(allow_null=True)
    superseded_on = serializers.DateField(allow_null=True)
    superseded_by = serializers.CharField(allow_null=True)
    supersedes = serializers.CharField(allow_null=True)


# Statistics -----------------------------------------------------------------------------------------------


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    headers = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))


class StatisticsSerializer(serializers.Serializer):
    figures = FigureSerializer(many=True)


# The office -----------------------------------------------------------------------------------------------


class DecisionSerializer(serializers.Serializer):
    enrolments = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=1000, help_text="Submitted enrolments."
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectSerializer(DecisionSerializer):
    reason = serializers.CharField(max_length=2000)


class RunStartSerializer(serializers.Serializer):
    batch = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Omit for everything ready."
    )


class RunSummarySerializer(serializers.ModelSerializer):
    batch = serializers.IntegerField(source="batch_id", read_only=True, allow_null=True)
    issued = serializers.IntegerField(source="issued_count", read_only=True)
    skipped = serializers.IntegerField(source="skipped_count", read_only=True)

    class Meta:
        model = IssuanceRun
        fields = ["id", "batch", "total", "issued", "skipped", "created_at", "finished_at"]


class ProgressSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    total = serializers.IntegerField()
    issued = serializers.IntegerField()
    skipped = serializers.IntegerField()
    pending = serializers.IntegerField()
    done = serializers.IntegerField()
    percent = serializers.IntegerField()
    finished = serializers.BooleanField()
    stalled = serializers.BooleanField()
    per_second = serializers.FloatField()
    elapsed_seconds = serializers.IntegerField()


class RunSerializer(RunSummarySerializer):
    progress = serializers.SerializerMethodField()

    class Meta(RunSummarySerializer.Meta):
        fields = RunSummarySerializer.Meta.fields + ["progress"]

    def get_progress(self, run) -> ProgressSerializer:
        from certificates import selectors

        return selectors.run_progress(run)


class MovedSerializer(serializers.Serializer):
    moved = EnrolmentSerializer(many=True)


class KeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    access = serializers.ChoiceField(choices=KeyAccess.choices, default=KeyAccess.READ_ONLY)
