from django.urls import path

from workflows.views import assessment as views
from workflows.views import conflicts

app_name = "assessment"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("inbox/", views.inbox, name="inbox"),
    path("queue/export.xlsx", views.queue_export, name="queue_export"),
    path("inbox/export.xlsx", views.inbox_export, name="inbox_export"),
    path("approve/", views.approve_selected, name="approve_selected"),
    path("assign/", views.assign_selected, name="assign_selected"),
    path("tasks/<int:task_id>/", views.review, name="review"),
    path("tasks/<int:task_id>/decide/", views.decide, name="decide"),
    path("tasks/<int:task_id>/claim/", views.claim, name="claim"),
    path("tasks/<int:task_id>/release/", views.release, name="release"),
    path("tasks/<int:task_id>/assign/", views.assign, name="assign"),
    path("tasks/<int:task_id>/conflict/", conflicts.declare_for_task, name="declare_conflict"),
    path("conflicts/", conflicts.conflict_list, name="conflicts"),
    path("conflicts/<int:declaration_id>/withdraw/", conflicts.withdraw, name="withdraw_conflict"),
]
