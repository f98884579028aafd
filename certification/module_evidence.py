"""The evidence file recorded with a module completion (the 3D garment model of the pattern-making
modules), reused as the exam results' evidence so that nobody uploads it twice, and shown to the
assessor beside the module's hours (docs/spec.md §5: "evidence files side by side").
"""

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from certification import evidence, registration, selectors
from certification.models import AssessmentAttempt, EvidenceFile, EvidenceKind, ModuleCompletion, User
from core.errors import InvalidInput, RuleNotMet

MODEL_FORMATS = evidence.FORMATS_BY_KIND[EvidenceKind.MODEL_3D]


def format_of(completion: ModuleCompletion) -> str:
    """The format code of the completion's stored file (its extension, which the content check chose)."""
    name = completion.evidence.name or ""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def is_model(completion: ModuleCompletion) -> bool:
    return bool(completion.evidence) and format_of(completion) in MODEL_FORMATS


def reused_name(completion: ModuleCompletion) -> str:
    return f"{completion.module.display_name}.{format_of(completion)}"


def completions_with_evidence_visible_to(user: User) -> QuerySet[ModuleCompletion]:
    """Module completions with a file, of candidates the user may see (as evidence_visible_to)."""
    return (
        ModuleCompletion.objects.select_related("module", "enrolment__trainee", "enrolment__batch")
        .exclude(evidence="")
        .filter(enrolment__in=selectors.enrolments_visible_to(user).values("pk"))
    )


def reusable_models(enrolment, attempt: AssessmentAttempt | None) -> list[ModuleCompletion]:
    """The enrolment's module files that are 3D models and not yet among the attempt's evidence."""
    already = {f.original_name for f in attempt.evidence_files.all()} if attempt else set()
    completions = enrolment.completions.select_related("module").exclude(evidence="").order_by("module__position")
    return [c for c in completions if is_model(c) and reused_name(c) not in already]


def reuse_module_model(*, staff: User, enrolment_id: int, completion_id: int) -> EvidenceFile:
    """Copy a module completion's 3D model into the current attempt's evidence (kind 3D model).
    A copy, not a shared file: removing one never removes the other."""
    stored_name = ""
    try:
        with transaction.atomic():
            enrolment = registration.locked_enrolment_of_staff(staff, enrolment_id)
            completion = enrolment.completions.select_related("module").filter(pk=completion_id).first()
            if completion is None or not is_model(completion):
                raise InvalidInput(_("This module has no 3D model file to reuse."))
            attempt = enrolment.current_attempt
            locked = evidence.evidence_locked_reason(enrolment, attempt)
            if locked:
                raise RuleNotMet(locked)
            if attempt is None:
                attempt = AssessmentAttempt.objects.create(enrolment=enrolment, number=1)
            if attempt.evidence_files.filter(original_name=reused_name(completion)).exists():
                raise InvalidInput(_("This file is already among the results' evidence."))
            if attempt.evidence_files.count() >= evidence.max_files():
                raise RuleNotMet(
                    _("An attempt may have at most %(count)s evidence files.") % {"count": evidence.max_files()}
                )
            with completion.evidence.open("rb") as source:
                content = source.read()
            copied = EvidenceFile(
                attempt=attempt,
                kind=EvidenceKind.MODEL_3D,
                original_name=reused_name(completion),
                size=len(content),
                uploaded_by=staff,
            )
            found = evidence.FORMATS[format_of(completion)]
            copied.file.save(evidence.random_name(found), ContentFile(content), save=False)
            stored_name = copied.file.name
            copied.save()
            return copied
    except BaseException:
        if stored_name:  # the row was not kept, so neither is the copy
            EvidenceFile._meta.get_field("file").storage.delete(stored_name)
        raise
