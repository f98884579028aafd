"""/api/v1/ (the API), /api/schema/ (OpenAPI 3), /api/docs/ (its reference), /api/keys/ (key pages)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import errors, pages
from .views import certificates, office, registration, results

v1 = [
    path("tracks/", registration.TrackList.as_view(), name="tracks"),
    path("batches/", registration.BatchList.as_view(), name="batches"),
    path("batches/<int:pk>/", registration.BatchDetail.as_view(), name="batch"),
    path("trainees/", registration.TraineeList.as_view(), name="trainees"),
    path("trainees/<int:pk>/", registration.TraineeDetail.as_view(), name="trainee"),
    path("enrolments/", registration.EnrolmentList.as_view(), name="enrolments"),
    path("enrolments/<int:pk>/", registration.EnrolmentDetail.as_view(), name="enrolment"),
    path("enrolments/<int:pk>/submit/", registration.SubmitEnrolment.as_view(), name="enrolment_submit"),
    path("enrolments/<int:pk>/resubmit/", registration.ResubmitEnrolment.as_view(), name="enrolment_resubmit"),
    path("enrolments/<int:pk>/complete-training/", registration.CompleteTraining.as_view(), name="enrolment_complete"),
    path("enrolments/<int:pk>/withdraw/", registration.WithdrawEnrolment.as_view(), name="enrolment_withdraw"),
    path("enrolments/<int:pk>/completions/", results.Completions.as_view(), name="completions"),
    path("enrolments/<int:pk>/results/", results.Results.as_view(), name="results"),
    path("enrolments/<int:pk>/results/scores/", results.Scores.as_view(), name="scores"),
    path("enrolments/<int:pk>/results/evidence/", results.Evidence.as_view(), name="evidence"),
    path(
        "enrolments/<int:pk>/results/evidence/<int:evidence_id>/",
        results.EvidenceItem.as_view(),
        name="evidence_item",
    ),
    path("enrolments/<int:pk>/results/submit/", results.SubmitResults.as_view(), name="results_submit"),
    path("certificates/", certificates.CertificateList.as_view(), name="certificates"),
    path("certificates/<int:pk>/", certificates.CertificateDetail.as_view(), name="certificate"),
    path("certificates/<int:pk>/pdf/", certificates.CertificatePdf.as_view(), name="certificate_pdf"),
    path("statistics/", certificates.Statistics.as_view(), name="statistics"),
    path("approvals/", office.Approvals.as_view(), name="approvals"),
    path("approvals/approve/", office.Approve.as_view(), name="approve"),
    path("approvals/reject/", office.Reject.as_view(), name="reject"),
    path("issuance-runs/", office.RunList.as_view(), name="runs"),
    path("issuance-runs/<int:pk>/", office.RunDetail.as_view(), name="run"),
    path("public/certificates/<str:number>/", certificates.PublicCertificate.as_view(), name="public_certificate"),
    # Any other address under /api/v1/ (a malformed id too): the API's JSON 404, not the HTML page.
    re_path(r"^.*$", errors.not_found, name="not_found"),
]

app_name = "api"
urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("keys/", pages.key_list, name="keys"),
    path("keys/<str:prefix>/revoke/", pages.key_revoke, name="key_revoke"),
]
