"""Certificate pages: public verification at /verify/, everything else under /certificates/."""

from django.urls import path

from .views import credentials, holder, officer, offline, public, registers, verifications

app_name = "certificates"
urlpatterns = [
    # Public (docs/spec.md §6, §8): by number, machine-readable, by QR token, and the name + ID query.
    path("verify/", public.verify_query, name="verify_query"),
    # The offline page and what it keeps (before <number>/, which would take "offline" for a number).
    path("verify/offline/", offline.offline_page, name="offline"),
    path("verify/offline/sw.js", offline.service_worker, name="offline_worker"),
    path("verify/offline/keys.json", offline.public_keys, name="offline_keys"),
    path("verify/offline/status.json", offline.status_list, name="offline_status"),
    # A holder's share link: the public facts, as long as the link lives.
    path("verify/shared/<str:token>/", public.verify_shared, name="verify_shared"),
    path("verify/<str:number>.json", public.verify_json, name="verify_json"),
    path("verify/<str:number>/", public.verify_number, name="verify"),
    path("verify/<str:number>/qr/<str:token>/", public.verify_qr, name="verify_qr"),
    path("verify/<str:number>/qr/<str:token>/photo/", public.verify_qr_photo, name="verify_qr_photo"),
    # Portable credentials (docs/spec.md §12): what verifiers fetch, stable URLs.
    path("credentials/issuer", credentials.issuer, name="credential_issuer"),
    path("credentials/keys/<str:kid>", credentials.key, name="credential_key"),
    path("credentials/status/<int:number>", credentials.status_list, name="status_list"),
    path(
        "credentials/achievements/<str:track_code>/<int:level>",
        credentials.achievement,
        name="credential_achievement",
    ),
    # Registers and downloads: officers, institutions (their own), trainees (their own).
    path("certificates/", registers.certificate_list, name="list"),
    path("certificates/register.xlsx", registers.register_xlsx, name="register_xlsx"),
    path("certificates/mine/", registers.my_certificates, name="mine"),
    # The holder's own: who checked (when and how, never who) and their share links.
    path("certificates/mine/checks/", holder.my_checks, name="my_checks"),
    path("certificates/mine/<int:pk>/share/", holder.share_links, name="share_links"),
    path("certificates/mine/<int:pk>/share/<int:link_pk>/revoke/", holder.revoke_share_link, name="revoke_share_link"),
    # The office: checks per day and per certificate.
    path("certificates/checks/", officer.check_counts, name="check_counts"),
    path("certificates/<int:pk>/", registers.certificate_detail, name="detail"),
    path("certificates/<int:pk>/pdf/", registers.certificate_pdf, name="download"),
    path("certificates/<int:pk>/credential.json", credentials.my_credential, name="credential"),
    path("certificates/batches/<int:batch_id>/pdfs.zip", registers.batch_zip, name="batch_zip"),
    path("certificates/batches/<int:batch_id>/print.pdf", registers.batch_print_pdf, name="batch_print_pdf"),
    # Issuance, corrections and revocations: officers.
    path("certificates/issue/", officer.issuance, name="issuance"),
    path("certificates/verifications/", verifications.verification_log, name="verifications"),
    path("certificates/verifications/export.xlsx", verifications.verification_log_export, name="verifications_export"),
    path("certificates/runs/<int:pk>/", officer.run_detail, name="run"),
    path("certificates/runs/<int:pk>/progress.json", officer.run_progress, name="run_progress"),
    path("certificates/runs/<int:pk>/resume/", officer.run_resume, name="run_resume"),
    path("certificates/<int:pk>/reissue/", officer.reissue, name="reissue"),
    path("certificates/<int:pk>/revoke/", officer.revoke, name="revoke"),
]
