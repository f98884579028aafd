"""`manage.py import_xlsx {enrolments|completions|results} FILE --institution CODE [--dry-run]` (docs/spec.md §8).

Runs the same import as the upload page, as one of the institution's staff accounts. Prints what
happened, row by row for rejected rows, and exits non-zero when anything was rejected or refused.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from certification.models import Institution, Role, User
from exchange import services
from exchange.columns import KINDS
from exchange.handlers import Options


class Command(BaseCommand):
    help = "Import an Excel file of enrolments, module completions or exam results for one institution."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file")
        parser.add_argument("--institution", metavar="CODE", required=True, help="the institution's organisation code")
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        parser.add_argument(
            "--valid-only", action="store_true", help="import the valid rows and leave the rejected ones"
        )
        parser.add_argument("--submit", action="store_true", help="enrolments: submit the new ones for approval")
        parser.add_argument("--user", metavar="USERNAME", help="the staff account acting (default: the first one)")
        parser.add_argument("--language", default="zh-hans", help="language of the report (zh-hans or en)")

    def handle(self, *args, **options):
        # Override, not activate: the chosen language must not outlive the command.
        with translation.override(options["language"]):
            return self._import(*args, **options)

    def _import(self, *args, **options):
        staff = self._staff(options["institution"], options.get("user"))
        kind = options["kind"]
        settings = Options(submit=options["submit"], valid_rows_only=options["valid_only"])
        try:
            with open(options["file"], "rb") as fileobj:
                if options["dry_run"]:
                    summary = services.preview(staff=staff, kind=kind, fileobj=fileobj, options=settings)
                else:
                    summary = services.import_rows(staff=staff, kind=kind, fileobj=fileobj, options=settings)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": options["file"], "error": error.strerror}
            ) from None
        if summary.refusal:
            raise CommandError(summary.refusal)
        self.stdout.write(
            _("%(kind)s: %(create)s to create, %(update)s to update, %(unchanged)s unchanged, %(rejected)s rejected.")
            % {"kind": KINDS[kind].title, **summary.counts}
        )
        for warning in summary.warnings:
            self.stdout.write(f"  ! {warning}")
        for problem in summary.problems:
            self.stdout.write(f"  {problem}")
        if summary.problem_count > len(summary.problems):
            self.stdout.write(
                "  " + _("… and %(count)s more.") % {"count": summary.problem_count - len(summary.problems)}
            )
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
        elif summary.written:
            self.stdout.write(self.style.SUCCESS(_("Written: %(count)s rows.") % {"count": summary.changes}))
        else:
            self.stdout.write(_("Nothing was written."))
        if summary.rejected:
            raise CommandError(_("%(count)s rows rejected.") % {"count": summary.rejected})

    def _staff(self, code: str, username: str | None) -> User:
        institution = Institution.objects.filter(org_code=code).first()
        if institution is None:
            raise CommandError(_("No institution has the organisation code %(code)s.") % {"code": code})
        staff = User.objects.filter(institution=institution, role=Role.INSTITUTION, is_active=True)
        if username:
            staff = staff.filter(username=username)
        found = staff.order_by("pk").first()
        if found is None:
            raise CommandError(
                _("%(institution)s has no active staff account %(username)s.")
                % {"institution": institution.name, "username": username or ""}
            )
        return found
