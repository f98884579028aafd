"""The level copied into the statistics' derived rows, and EnrolmentFigures and StageDuration
counted by month (FiguresByMonth, StageDurationsByMonth): what certification.derived_figures
derives from now on, filled here for the rows already derived, so that the first look at the
statistics after the upgrade does not wait for every enrolment to be derived again. The SQL is this
migration's own (a later change to derived_figures must not change what it did)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOMENTS = [
    # moment, its time, its month's column (None: computed), the columns counted with it
    ("registered", "created_at", None, ["furthest_stage", "exit_status"]),
    ("trained", "trained_at", "trained_month", []),
    ("certified", "certified_at", "certified_month", []),
    ("first_decided", "first_decided_at", None, ["passed_first", "passed_later"]),
]
DEFAULTS = {"furthest_stage": None, "exit_status": "", "passed_first": False, "passed_later": False}
# Drafts are not counted by month: one never submitted may still be deleted.
NOT_A_DRAFT = "(furthest_stage IS NULL OR furthest_stage <> 0 OR exit_status <> '')"


def copy_the_level(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    for table in ("certification_enrolmentfigures", "certification_stageduration"):
        schema_editor.execute(
            f"UPDATE {quote(table)} SET level = (SELECT b.level FROM {quote('certification_trainingbatch')} b "
            f"WHERE b.id = {quote(table)}.batch_id)"
        )


def _local_month(connection, column: str) -> tuple[str, list]:
    truncated, params = connection.ops.datetime_trunc_sql("month", column, (), settings.TIME_ZONE)
    sql = f"CAST(({truncated}) AS date)" if connection.vendor == "postgresql" else f"substr({truncated}, 1, 10)"
    return sql, list(params)


def count_by_month(apps, schema_editor):
    connection = schema_editor.connection
    grouped = ["batch_id", "institution_id", "track_id", "level"]
    with connection.cursor() as cursor:
        for moment, column, month_column, counted in MOMENTS:
            month, month_params = (month_column, []) if month_column else _local_month(connection, column)
            defaults = {name: value for name, value in DEFAULTS.items() if name not in counted}
            columns = [*grouped, *counted]
            positions = ", ".join(str(position) for position in range(2, len(columns) + 3))
            cursor.execute(
                f"INSERT INTO certification_figuresbymonth (moment, month, {', '.join(columns + list(defaults))}, n) "
                f"SELECT %s, {month}, {', '.join(columns + ['%s'] * len(defaults))}, COUNT(*) "
                f"FROM certification_enrolmentfigures WHERE {column} IS NOT NULL AND {NOT_A_DRAFT} GROUP BY {positions}",
                [moment, *month_params, *defaults.values()],
            )
        month, month_params = _local_month(connection, "ended_at")
        columns = ["stage", *grouped]
        positions = ", ".join(str(position) for position in range(1, len(columns) + 2))
        cursor.execute(
            f"INSERT INTO certification_stagedurationsbymonth (month, {', '.join(columns)}, n) "
            f"SELECT {month}, {', '.join(columns)}, COUNT(*) FROM certification_stageduration GROUP BY {positions}",
            month_params,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0017_stage_durations_by_rank"),
    ]

    operations = [
        # The indexes first, the column filled, the indexes made again with it: one pass each.
        migrations.RemoveIndex(model_name="enrolmentfigures", name="figures_funnel"),
        migrations.RemoveIndex(model_name="enrolmentfigures", name="figures_trained"),
        migrations.RemoveIndex(model_name="enrolmentfigures", name="figures_certified"),
        migrations.RemoveIndex(model_name="enrolmentfigures", name="figures_first_attempt"),
        migrations.RemoveIndex(model_name="stageduration", name="stageduration_ranked"),
        migrations.AddField(
            model_name="enrolmentfigures",
            name="level",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="stageduration",
            name="level",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunPython(copy_the_level, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="enrolmentfigures",
            index=models.Index(
                fields=["created_at", "furthest_stage", "exit_status", "track_id", "institution", "batch", "level"],
                name="figures_funnel",
            ),
        ),
        migrations.AddIndex(
            model_name="enrolmentfigures",
            index=models.Index(
                condition=models.Q(("exit_status", ""), ("furthest_stage", 0)),
                fields=["created_at", "track_id", "institution", "batch", "level"],
                name="figures_drafts",
            ),
        ),
        migrations.AddIndex(
            model_name="enrolmentfigures",
            index=models.Index(
                condition=models.Q(("trained_at__isnull", False)),
                fields=["trained_at", "trained_month", "track_id", "institution", "batch", "level"],
                name="figures_trained",
            ),
        ),
        migrations.AddIndex(
            model_name="enrolmentfigures",
            index=models.Index(
                condition=models.Q(("certified_at__isnull", False)),
                fields=["certified_at", "certified_month", "track_id", "institution", "batch", "level"],
                name="figures_certified",
            ),
        ),
        migrations.AddIndex(
            model_name="enrolmentfigures",
            index=models.Index(
                condition=models.Q(("first_decided_at__isnull", False)),
                fields=[
                    "first_decided_at",
                    "track_id",
                    "institution",
                    "passed_first",
                    "passed_later",
                    "batch",
                    "level",
                ],
                name="figures_first_attempt",
            ),
        ),
        migrations.AddIndex(
            model_name="stageduration",
            index=models.Index(
                fields=["stage", "days", "track_id", "institution_id", "batch", "level", "ended_at"],
                name="stageduration_ranked",
            ),
        ),
        migrations.AddIndex(
            model_name="stageduration",
            index=models.Index(
                fields=["ended_at", "stage", "track_id", "institution_id", "batch", "level"],
                name="stageduration_ended",
            ),
        ),
        migrations.CreateModel(
            name="StageDurationsByMonth",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("stage", models.CharField(max_length=12)),
                ("month", models.DateField()),
                ("institution_id", models.IntegerField()),
                ("track_id", models.IntegerField()),
                ("level", models.PositiveSmallIntegerField()),
                ("n", models.IntegerField()),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="certification.trainingbatch"
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["month", "stage", "track_id", "institution_id", "batch", "level", "n"],
                        name="stagedurations_by_month",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="FiguresByMonth",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "moment",
                    models.CharField(
                        choices=[
                            ("registered", "Registered"),
                            ("trained", "Trained"),
                            ("certified", "Certified"),
                            ("first_decided", "First Decided"),
                        ],
                        max_length=16,
                    ),
                ),
                ("month", models.DateField()),
                ("track_id", models.IntegerField()),
                ("level", models.PositiveSmallIntegerField()),
                ("furthest_stage", models.SmallIntegerField(null=True)),
                ("exit_status", models.CharField(blank=True, max_length=20)),
                ("passed_first", models.BooleanField(default=False)),
                ("passed_later", models.BooleanField(default=False)),
                ("n", models.IntegerField()),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="certification.trainingbatch",
                    ),
                ),
                (
                    "institution",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="certification.institution",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=[
                            "moment",
                            "month",
                            "track_id",
                            "institution",
                            "batch",
                            "level",
                            "furthest_stage",
                            "exit_status",
                            "passed_first",
                            "passed_later",
                            "n",
                        ],
                        name="figures_by_month",
                    )
                ],
            },
        ),
        migrations.RunPython(count_by_month, migrations.RunPython.noop),
    ]
