"""`manage.py xlsx_template {enrolments|completions|results} OUT.xlsx [--institution CODE]` (docs/spec.md §8)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from certification.models import Institution
from exchange import blanks
from exchange.columns import KINDS


class Command(BaseCommand):
    help = "Write the blank Excel template of one kind of import."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("out", help="the .xlsx file to write")
        parser.add_argument(
            "--institution", metavar="CODE", help="organisation code: list this institution's batches in the template"
        )

    def handle(self, *args, kind, out, institution=None, **options):
        found = None
        if institution:
            found = Institution.objects.filter(org_code=institution).first()
            if found is None:
                raise CommandError(_("No institution has the organisation code %(code)s.") % {"code": institution})
        blanks.write_template(KINDS[kind], out, institution=found)
        self.stdout.write(_("Wrote the %(kind)s template to %(file)s.") % {"kind": KINDS[kind].title, "file": out})
