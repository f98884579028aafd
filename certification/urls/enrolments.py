from django.urls import path

from certification.views import enrolments

app_name = "enrolments"
urlpatterns = [
    path("", enrolments.enrolment_list, name="list"),
    path("export.xlsx", enrolments.enrolment_export, name="export"),
    path("<int:pk>/", enrolments.enrolment_detail, name="detail"),
    path("<int:pk>/move/<slug:transition>/", enrolments.enrolment_move, name="move"),
    path("<int:pk>/completions/", enrolments.module_completions, name="completions"),
]
