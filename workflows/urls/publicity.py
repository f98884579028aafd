"""URLs of the public notice: two lists, mounted by certification/urls/__init__.py as

path("publicity/", include((urls_publicity.public_urlpatterns, "publicity"))),
path("officer/publicity/", include((urls_publicity.officer_urlpatterns, "officer_publicity"))),
"""

from django.urls import path

from workflows.views import publicity as views
from workflows.views import publicity_print

public_urlpatterns = [
    path("", views.public_notice_list, name="list"),
    path("<int:notice_id>/", views.public_notice_detail, name="notice"),
    path("<int:notice_id>/print/", publicity_print.notice_print, name="notice_print"),
    path("<int:notice_id>/notice.pdf", publicity_print.notice_pdf, name="notice_pdf"),
    path("<int:notice_id>/candidates/<int:entry_id>/objection/", views.lodge_objection, name="objection"),
]

officer_urlpatterns = [
    path("", views.officer_index, name="index"),
    path("close-due/", views.close_due_now, name="close_due"),
    path("notices/", views.officer_notice_list, name="notices"),
    path("notices/<int:notice_id>/", views.officer_notice_detail, name="notice"),
    path("notices/<int:notice_id>/close-early/", views.close_early_for_demo, name="close_early"),
    path("office/", publicity_print.office_contact, name="office"),
    path("objections/", views.objection_list, name="objections"),
    path("objections/<int:objection_id>/decide/", views.decide_objection, name="decide"),
]
