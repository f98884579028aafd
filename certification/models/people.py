"""People: users with one role, trainees and the conflicts assessors declare (docs/spec.md §1, §3)."""

from datetime import date

from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Right
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.validators import refuse_format_characters

from ..identity import (
    birth_date_of_resident_id,
    id_number_last_four,
    mask_id_number,
    mask_name,
    normalise_id_number,
    validate_resident_id,
)
from .institutions import Institution

# The auth group that mirrors each role, created by a data migration; permissions in the admin
# come from the group, object-level rules from certification.permissions.
ROLE_GROUPS: dict[str, str] = {
    Role.OFFICER: "officers",
    Role.ASSESSOR: "assessors",
    Role.INSTITUTION: "institution staff",
    Role.TRAINEE: "trainees",
}


class User(AbstractUser):
    # AbstractUser's name fields, with the check every name field of ours has.
    first_name = models.CharField(_("first name"), max_length=150, blank=True, validators=[refuse_format_characters])
    last_name = models.CharField(_("last name"), max_length=150, blank=True, validators=[refuse_format_characters])
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("institution affiliation"),
        help_text=_("Required for institution staff; for assessors, the institution they work for, if any."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        """How people see this person on pages: the real name, the login only when none is on file."""
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.role == Role.INSTITUTION and not self.institution_id:
            raise ValidationError({"institution": _("Institution staff need an institution.")})
        if self.role in (Role.OFFICER, Role.TRAINEE, Role.EMPLOYER) and self.institution_id:
            raise ValidationError({"institution": _("Only institution staff and assessors have an institution.")})

    def save(self, *args, **kwargs):
        # Only officers reach the admin back office.
        self.is_staff = self.role == Role.OFFICER or self.is_superuser
        super().save(*args, **kwargs)
        group = Group.objects.filter(name=ROLE_GROUPS.get(self.role, "")).first()
        if group is not None:
            self.groups.set([group])

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def is_assessor(self) -> bool:
        return self.role == Role.ASSESSOR

    @property
    def is_institution_staff(self) -> bool:
        return self.role == Role.INSTITUTION and self.institution_id is not None

    @property
    def is_trainee(self) -> bool:
        return self.role == Role.TRAINEE

    @property
    def is_employer(self) -> bool:
        return self.role == Role.EMPLOYER


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("resident ID card")
    HK_MACAU = "hk_macau", _("Hong Kong/Macau resident permit")
    TAIWAN = "taiwan", _("Taiwan resident permit")
    PASSPORT = "passport", _("passport")
    FOREIGN_PERMANENT = "foreign_permanent", _("foreign permanent resident ID")


class Gender(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class Education(models.TextChoices):
    PRIMARY = "primary", _("primary school")
    JUNIOR = "junior", _("junior secondary")
    SENIOR = "senior", _("senior secondary / vocational")
    JUNIOR_COLLEGE = "junior_college", _("junior college")
    BACHELOR = "bachelor", _("bachelor")
    POSTGRADUATE = "postgraduate", _("postgraduate")


def trainee_photo_path(instance: "Trainee", filename: str) -> str:
    # The name carries no personal data; the extension is set by the upload check from the content.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"photos/{instance.institution_id}/{timezone.now():%Y%m}/{instance.pk or 'new'}-{timezone.now():%H%M%S%f}.{extension}"


class Trainee(models.Model):
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="trainees", verbose_name=_("registering institution")
    )
    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="trainee", verbose_name=_("account")
    )
    # "Full name" (姓名), not "name" (名称): that one is for batches and institutions.
    name = models.CharField(_("Full name"), max_length=64, validators=[refuse_format_characters])
    id_type = models.CharField(_("ID type"), max_length=24, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = models.CharField(_("ID number"), max_length=32)
    # What the lists show of the number and search by (issue 15): kept by the database itself, so
    # that bulk inserts and imports cannot leave it stale, and indexed for the search.
    id_last_four = models.GeneratedField(
        expression=Right("id_number", 4),
        output_field=models.CharField(max_length=4),
        db_persist=True,
        verbose_name=_("ID number, last 4"),
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(_("ethnicity"), max_length=32, default="汉族")
    education = models.CharField(_("education"), max_length=24, choices=Education.choices)
    phone = models.CharField(_("mobile phone"), max_length=20)
    employer = models.CharField(_("employer"), max_length=128, blank=True)
    # 70: a working life; without a limit SQLite would name its 64-bit maximum in messages.
    years_in_trade = models.PositiveSmallIntegerField(
        _("years in the trade"), default=0, validators=[MaxValueValidator(70)]
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    photo = models.ImageField(_("1-inch photo"), upload_to=trainee_photo_path, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["id_type", "id_number"], name="one_trainee_per_id")]
        indexes = [
            models.Index(fields=["institution", "name"]),
            models.Index(fields=["id_last_four", "institution"], name="trainee_id_last_four"),
            models.Index(fields=["name", "id"], name="trainee_by_name"),
        ]
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")

    def __str__(self) -> str:
        return f"{mask_name(self.name)} ({self.masked_id_number})"

    def clean(self):
        super().clean()
        self.id_number = normalise_id_number(self.id_number)
        if self.id_type == IdType.RESIDENT_ID and self.id_number:
            try:
                validate_resident_id(self.id_number)
            except ValidationError as error:
                raise ValidationError({"id_number": error.messages}) from error
            born = birth_date_of_resident_id(self.id_number)
            # A birth date that failed its own field check is reported there, not twice.
            if isinstance(self.birth_date, date) and self.birth_date != born:
                raise ValidationError(
                    {
                        "birth_date": _(
                            "The birth date does not match the resident ID number, whose characters 7 to 14 "
                            "give %(date)s: please check both."
                        )
                        % {"date": str(born)}
                    }
                )

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def id_number_last_four(self) -> str:
        return id_number_last_four(self.id_number)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)


class ConflictKind(models.TextChoices):
    RELATIVE = "relative", _("relative")
    OWN_STUDENT = "own_student", _("own student")
    COLLEAGUE = "colleague", _("colleague")
    OTHER = "other", _("other")


class ConflictDeclaration(models.Model):
    """An assessor's declared conflict of interest with a named trainee: they never assess them."""

    assessor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="declared_conflicts")
    trainee = models.ForeignKey(Trainee, on_delete=models.CASCADE, related_name="declared_conflicts")
    kind = models.CharField(_("kind"), max_length=16, choices=ConflictKind.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessor", "trainee"], name="one_conflict_per_pair")]
        verbose_name = _("declared conflict of interest")
        verbose_name_plural = _("declared conflicts of interest")


class ActivationCode(models.Model):
    """A one-time code printed on a slip, from which a trainee sets their password (docs/spec.md §6)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_codes")
    code_hash = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
