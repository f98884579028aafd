"""DecidedReview: the finished reviews the assessors' workload counts, one narrow row each
(workflows.decided_reviews derives them from now on). Filled here from the tasks already finished,
so that the first look at the statistics after the upgrade does not wait for them; the SQL is this
migration's own."""

import django.db.models.deletion
from django.db import migrations, models

REVIEWS = ["workflows/flows.AssessmentFlow.review", "workflows/flows.AssessmentFlow.second_review"]


def derive_the_finished_reviews(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM viewflow_task")
        (newest_task,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO workflows_decidedreview "
            "(task_id, owner_id, assigned, finished, batch_id, institution_id, track_id, level) "
            "SELECT t.id, t.owner_id, t.assigned, t.finished, e.batch_id, b.institution_id, e.track_id, b.level "
            "FROM viewflow_task t JOIN workflows_assessmentprocess p ON p.process_ptr_id = t.process_id "
            "JOIN certification_enrolment e ON e.id = p.enrolment_id "
            "JOIN certification_trainingbatch b ON b.id = e.batch_id "
            "WHERE t.flow_task IN (%s, %s) AND t.status = %s AND t.id <= %s",
            [*REVIEWS, "DONE", newest_task or 0],
        )
    apps.get_model("workflows", "DecidedReviewsUpTo").objects.create(pk=1, last_task_id=newest_task or 0)


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0018_figures_level_and_months"),
        ("viewflow", "0015_task_scheduled"),
        ("workflows", "0006_workload_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="DecidedReviewsUpTo",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_task_id", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="DecidedReview",
            fields=[
                (
                    "task",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="viewflow.task",
                    ),
                ),
                ("owner_id", models.IntegerField(null=True)),
                ("assigned", models.DateTimeField(null=True)),
                ("finished", models.DateTimeField(null=True)),
                ("track_id", models.IntegerField()),
                ("level", models.PositiveSmallIntegerField()),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="certification.trainingbatch"
                    ),
                ),
                (
                    "institution",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="certification.institution"
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["finished", "owner_id", "assigned", "track_id", "institution", "batch", "level"],
                        name="decided_review_workload",
                    )
                ],
            },
        ),
        migrations.RunPython(derive_the_finished_reviews, migrations.RunPython.noop),
    ]
