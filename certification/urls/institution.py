from django.urls import path

from certification.views import batches, photos, slips, trainees

app_name = "institution"
urlpatterns = [
    path("trainees/", trainees.trainee_list, name="trainees"),
    path("trainees/export.xlsx", trainees.trainee_export, name="trainee_export"),
    path("trainees/new/", trainees.trainee_create, name="trainee_create"),
    path("trainees/<int:pk>/", trainees.trainee_detail, name="trainee_detail"),
    path("trainees/<int:pk>/edit/", trainees.trainee_edit, name="trainee_edit"),
    path("trainees/<int:pk>/enrol/", trainees.trainee_enrol, name="trainee_enrol"),
    path("trainees/<int:pk>/photo/", photos.trainee_photo, name="trainee_photo"),
    path("batches/", batches.batch_list, name="batches"),
    path("batches/new/", batches.batch_create, name="batch_create"),
    path("batches/<int:pk>/", batches.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/edit/", batches.batch_edit, name="batch_edit"),
    path("batches/<int:pk>/submit/", batches.batch_submit_drafts, name="batch_submit_drafts"),
    path("slips/", slips.slips, name="slips"),
    path("slips/export.xlsx", slips.slips_export, name="slips_export"),
]
