from django.urls import path

from certification.views import officer_approvals, officer_institutions

app_name = "officer"
urlpatterns = [
    path("institutions/", officer_institutions.institution_list, name="institutions"),
    path("institutions/new/", officer_institutions.institution_create, name="institution_create"),
    path("institutions/<int:pk>/", officer_institutions.institution_detail, name="institution_detail"),
    path("institutions/<int:pk>/staff/", officer_institutions.add_staff_account, name="institution_add_staff"),
    path("institutions/<int:pk>/quotas/", officer_institutions.set_quota, name="institution_set_quota"),
    path("institutions/<int:pk>/vetting/<slug:move>/", officer_institutions.vet_institution, name="institution_vet"),
    path("approvals/", officer_approvals.approval_queue, name="approvals"),
    path("approvals/export.xlsx", officer_approvals.approvals_export, name="approvals_export"),
]
