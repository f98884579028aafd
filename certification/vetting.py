"""The certification office's writes on institutions: creating and vetting them, their staff
accounts and their yearly quota per track (docs/spec.md §1, §3).

Vetting moves an institution pending → approved → suspended → approved. Only an approved
institution may submit enrolments: the lifecycle's `institution_approved` guard reads the status
written here. Each move dates the institution (vetted_at) and appends a VettingDecision (who, from
which status to which, why). The institution's vetting_note holds only what was noted before
decisions were recorded one by one.
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, RuleNotMet, StaleState
from core.guards import require_officer

from . import history
from .models import Institution, InstitutionStatus, Role, Track, TrackQuota, User
from .selectors import approved_enrolment_count

# GB 32100-2015: the unified social credit code's alphabet (no I, O, S, V, Z) and position weights.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

INSTITUTION_FIELDS = ("name", "org_code", "contact_name", "contact_phone", "address")


def uscc_check_character(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, _USCC_WEIGHTS))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_problem(code: str) -> str:
    """Why `code` is not a valid unified social credit code, or "" when it is."""
    if len(code) != 18 or any(char not in _USCC_ALPHABET for char in code):
        return _("A unified social credit code has 18 characters: digits and capital letters except I, O, S, V and Z.")
    if uscc_check_character(code[:17]) != code[17]:
        return _("This unified social credit code fails its check character: please check each character.")
    return ""


def _validated(instance, exclude=()):
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise InvalidInput(" ".join(str(m) for messages in error.message_dict.values() for m in messages)) from error
    return instance


def create_institution(
    *, officer: User, name: str, org_code: str, contact_name: str = "", contact_phone: str = "", address: str = ""
) -> Institution:
    """A new training institution; it starts pending until the office vets it."""
    require_officer(officer)
    org_code = "".join((org_code or "").split()).upper()
    problem = org_code_problem(org_code)
    if problem:
        raise InvalidInput(problem)
    institution = Institution(
        name=(name or "").strip(),
        org_code=org_code,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        address=address.strip(),
        status=InstitutionStatus.PENDING,
    )
    _validated(institution)
    try:
        with transaction.atomic():
            institution.save()
    except IntegrityError as error:  # two officers registering the same code at once
        raise InvalidInput(_("An institution with this organisation code already exists.")) from error
    return institution


def add_staff_account(
    *, officer: User, institution_id: int, username: str, name: str, email: str, password: str
) -> User:
    """An institution staff login with the initial password the office hands over."""
    require_officer(officer)
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise InvalidInput(_("This institution does not exist."))
    username = (username or "").strip()
    # Trainee logins are ID numbers (accounts.ensure_trainee_account matches on them): a staff
    # login that looks like one could later be taken for a trainee's.
    if _looks_like_id_number(username):
        raise InvalidInput(_("A staff login cannot look like an ID number: trainees log in with theirs."))
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(_("The login “%(username)s” is already taken.") % {"username": username})
    staff = User(
        username=username,
        first_name=(name or "").strip(),
        email=(email or "").strip(),
        role=Role.INSTITUTION,
        institution=institution,
    )
    try:
        validate_password(password, user=staff)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages)) from error
    staff.set_password(password)
    _validated(staff, exclude=["password"])
    try:
        with transaction.atomic():
            staff.save()
    except IntegrityError as error:
        raise InvalidInput(_("The login “%(username)s” is already taken.") % {"username": username}) from error
    return staff


def _looks_like_id_number(username: str) -> bool:
    digits = username[:-1] if username[-1:] in ("X", "x") else username
    return len(username) >= 15 and digits.isdigit()


# Vetting moves: name → (statuses it starts from, status it ends in, whether a note is required).
VETTING_MOVES = {
    "approve": ([InstitutionStatus.PENDING], InstitutionStatus.APPROVED, False),
    "suspend": ([InstitutionStatus.APPROVED], InstitutionStatus.SUSPENDED, True),
    "reinstate": ([InstitutionStatus.SUSPENDED], InstitutionStatus.APPROVED, False),
}


def _vet(*, officer: User, institution_id: int, move: str, note: str) -> Institution:
    require_officer(officer)
    sources, target, note_required = VETTING_MOVES[move]
    note = (note or "").strip()
    if note_required and not note:
        raise InvalidInput(_("Please give a reason."))
    with transaction.atomic():
        institution = Institution.objects.select_for_update().filter(pk=institution_id).first()
        if institution is None:
            raise StaleState(_("This institution no longer exists."))
        if institution.status not in sources:
            raise StaleState(
                _("This is not possible while the institution is “%(status)s”. Reload the page.")
                % {"status": institution.get_status_display()}
            )
        from_status = institution.status
        institution.status = target
        institution.vetted_at = timezone.now()
        institution.save(update_fields=["status", "vetted_at"])
        history.record_vetting_decision(institution=institution, officer=officer, from_status=from_status, note=note)
    return institution


def approve_institution(*, officer: User, institution_id: int, note: str = "") -> Institution:
    """Pending → approved: the institution may submit enrolments."""
    return _vet(officer=officer, institution_id=institution_id, move="approve", note=note)


def suspend_institution(*, officer: User, institution_id: int, note: str) -> Institution:
    """Approved → suspended: no more submissions until reinstated; enrolments already approved go on."""
    return _vet(officer=officer, institution_id=institution_id, move="suspend", note=note)


def reinstate_institution(*, officer: User, institution_id: int, note: str = "") -> Institution:
    """Suspended → approved."""
    return _vet(officer=officer, institution_id=institution_id, move="reinstate", note=note)


def set_quota(*, officer: User, institution_id: int, track_id: int, year: int, quota: int) -> TrackQuota:
    """Set how many enrolments the institution may have approved in a track and year.

    A quota never goes below the enrolments already approved in that track and year.
    """
    require_officer(officer)
    if quota < 0:
        raise InvalidInput(_("A quota cannot be negative."))
    track = Track.objects.filter(pk=track_id).first()
    if track is None:
        raise InvalidInput(_("This track does not exist."))
    with transaction.atomic():
        # Locking the institution serialises quota changes; approvals lock the quota row itself.
        institution = Institution.objects.select_for_update().filter(pk=institution_id).first()
        if institution is None:
            raise StaleState(_("This institution no longer exists."))
        row = TrackQuota.objects.select_for_update().filter(institution=institution, track=track, year=year).first()
        used = approved_enrolment_count(institution_id=institution.pk, track_id=track.pk, year=year)
        if quota < used:
            raise RuleNotMet(
                _("The %(year)s quota for %(track)s cannot be %(quota)s: %(used)s enrolments are already approved.")
                % {"year": year, "track": track.display_name, "quota": quota, "used": used}
            )
        if row is None:
            row = TrackQuota(institution=institution, track=track, year=year)
        row.quota = quota
        _validated(row, exclude=["institution", "track"])
        row.save()
    return row
