"""Registers and downloads: the certificate list and its xlsx, one certificate's page and PDF, a
batch's PDFs as a zip, and a trainee's own certificates. Everything is looked up through
certificates.selectors, so nobody reaches another institution's or another trainee's certificate."""

import tempfile
import zipfile

from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from certification import permissions
from certification import selectors as certification_selectors
from certification.listing import ListFilters
from core import lists
from core.lists import Column, ListSpec
from core.views import officer_required, role_required, staff_or_officer_required

from .. import printing, selectors, xlsx
from ..forms import ReasonForm
from ..models import CertificateStatus, Credential

holder_institution_or_officer = role_required(
    permissions.is_officer, permissions.is_institution_staff, permissions.is_trainee
)

REGISTER_HEADERS = [
    ("证书编号", "number"),
    ("状态", "status"),
    ("姓名", "name"),
    ("证件类型", "id_type"),
    ("证件号码", "id_number"),
    ("职业方向", "direction"),
    ("证书名称", "title"),
    ("技能等级", "level"),
    ("发证日期", "issue_date"),
    ("培训机构", "institution"),
    ("培训批次", "batch"),
    ("取代", "supersedes"),
    ("撤销日期", "revoked_on"),
    ("SHA-256", "sha256"),
]


CERTIFICATES = ListSpec(
    name="certificates",
    columns=(
        Column("number", _l("Number"), ("number",)),
        Column("holder", _l("Holder"), ("holder_name",)),
        Column("id", _l("ID number, last 4")),
        Column("title", _l("Title")),
        Column("level", _l("Level"), ("level",)),
        Column("batch", _l("Batch"), ("enrolment__batch__name",)),
        Column("institution", _l("Institution"), ("institution_name",)),
        Column("issued", _l("Issued"), ("issue_date", "number")),
        Column("status", _l("Status"), ("status",)),
    ),
    default_sort="-issued",
)


def _filters(request):
    return ListFilters(
        request.GET,
        user=request.user,
        paths={
            "q": lambda queryset, text: selectors.search_certificates(queryset, text=text),
            "last_four": "enrolment__trainee__id_last_four",
            "institution": "enrolment__batch__institution",
            "batch": "enrolment__batch",
            # The certificate keeps its track's code: no join to the enrolment.
            "track": lambda queryset, track: queryset.filter(track_code=track.code),
            "level": "level",
            "status": "status",
            "date": "issue_date",
        },
        statuses=CertificateStatus.choices,
        date_label=_l("Issued"),
    )


def _filtered(request):
    """The certificates the page lists, filtered and in its order (the register's rows too)."""
    form = _filters(request)
    certificates = lists.filtered(selectors.certificates_visible_to(request.user), form)
    return form, certificates.order_by(*CERTIFICATES.order_by(CERTIFICATES.sort_of(request.GET)))


def _with_rows(queryset):
    return queryset.select_related("enrolment__batch__institution", "enrolment__trainee")


@staff_or_officer_required
def certificate_list(request):
    form = _filters(request)
    context = lists.list_page(
        request,
        CERTIFICATES,
        selectors.certificates_visible_to(request.user).select_related(None),
        form=form,
        decorate=_with_rows,
        hidden=["institution"] if permissions.is_institution_staff(request.user) else [],
        export_url=reverse("certificates:register_xlsx"),
    )
    batch = form.cleaned_data.get("batch") if form.is_bound and form.is_valid() else None
    context.update(batch=batch)
    return render(request, "certificates/list.html", context)


@staff_or_officer_required
def register_xlsx(request):
    _form, certificates = _filtered(request)
    rows = (
        [
            c.number,
            c.get_status_display(),
            c.holder_name,
            c.holder_id_type,
            c.enrolment.trainee.id_number,
            c.direction,
            c.title,
            c.level_label,
            c.issue_date,
            c.institution_name,
            c.enrolment.batch.name,
            c.supersedes.number if c.supersedes_id else "",
            timezone.localdate(c.revoked_at) if c.revoked_at else None,
            c.sha256,
        ]
        for c in certificates.select_related("supersedes", "enrolment__batch", "enrolment__trainee").iterator(
            chunk_size=500
        )
    )
    output = xlsx.workbook_file(title="证书登记", headers=REGISTER_HEADERS, rows=rows)
    filename = f"certificate-register-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(
        output,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@role_required(permissions.is_trainee)
def my_certificates(request):
    certificates = (
        selectors.certificates_visible_to(request.user)
        .select_related("superseded_by")
        .annotate(has_credential=Exists(Credential.objects.filter(certificate=OuterRef("pk"))))
        .order_by("-issue_date", "-number")
    )
    return render(request, "certificates/mine.html", {"certificates": list(certificates)})


def detail_context(request, certificate) -> dict:
    events = certificate.events.select_related("actor").order_by("created_at", "pk")
    return {
        "certificate": certificate,
        "events": list(events),
        "is_officer": permissions.is_officer(request.user),
        "reissue_form": ReasonForm(prefix="reissue"),
        "revoke_form": ReasonForm(prefix="revoke"),
        "superseded_by": getattr(certificate, "superseded_by", None),
    }


@holder_institution_or_officer
def certificate_detail(request, pk):
    certificate = get_object_or_404(
        selectors.certificates_visible_to(request.user).select_related("superseded_by", "supersedes", "issued_by"),
        pk=pk,
    )
    return render(request, "certificates/detail.html", detail_context(request, certificate))


@holder_institution_or_officer
def certificate_pdf(request, pk):
    """The frozen PDF, as stored when it was issued; only to its holder, their institution and officers."""
    certificate = get_object_or_404(selectors.certificates_visible_to(request.user), pk=pk)
    if not certificate.is_frozen:
        raise Http404
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )


def _valid_certificates_of_batch(request, batch_id):
    batch = get_object_or_404(certification_selectors.batches_visible_to(request.user), pk=batch_id)
    certificates = (
        selectors.certificates_visible_to(request.user)
        .filter(enrolment__batch=batch, status=CertificateStatus.VALID)
        .exclude(Q(sha256="") | Q(pdf=""))
        .order_by("number")
    )
    return batch, certificates


@staff_or_officer_required
def batch_zip(request, batch_id):
    """The valid certificates of one training batch, as one zip of their PDFs."""
    batch, certificates = _valid_certificates_of_batch(request, batch_id)
    output = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
    # PDFs are compressed already: stored, not deflated again.
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates.iterator(chunk_size=200):
            with certificate.pdf.open("rb") as pdf:
                archive.writestr(f"{certificate.number}.pdf", pdf.read())
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=f"certificates-batch-{batch.pk}.zip", content_type="application/zip"
    )


@officer_required
def batch_print_pdf(request, batch_id):
    """The valid certificates of one training batch merged into one PDF, for printing (not signed)."""
    batch, certificates = _valid_certificates_of_batch(request, batch_id)
    if not certificates.exists():
        raise Http404
    output = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
    printing.merge_pdfs(certificates.iterator(chunk_size=200), output)
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=f"certificates-batch-{batch.pk}-print.pdf", content_type="application/pdf"
    )
