"""History of scores, hours and vetting decisions, append-only in SQL like the state log (0002)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLES = {"certification_scorechange": "score history", "certification_vettingdecision": "vetting history"}


def _append_only_sql(vendor: str) -> list[str]:
    # As in 0002: SQLite refuses updates only (Django's test flush deletes there), PostgreSQL both.
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{label} is append-only'); END;"
            for table, label in TABLES.items()
        ]
    if vendor == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION certification_history_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only'; END; $$ LANGUAGE plpgsql;",
            *(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION certification_history_append_only();"
                for table in TABLES
            ),
        ]
    return []


def _drop_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update;" for table in TABLES]
    if vendor == "postgresql":
        return [
            *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES),
            "DROP FUNCTION IF EXISTS certification_history_append_only();",
        ]
    return []


def officers_may_view(apps, schema_editor):
    """The officers' group reads the histories in the admin (0002 gave it the models of its time)."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("certification")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="officers")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="certification", codename__in=["view_scorechange", "view_vettingdecision"]
        )
    )


def append_only(apps, schema_editor):
    for statement in _append_only_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def not_append_only(apps, schema_editor):
    for statement in _drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0005_names_refuse_format_characters"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScoreChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "field",
                    models.CharField(
                        choices=[
                            ("exam_date", "exam date"),
                            ("theory_score", "theory score"),
                            ("practical_score", "practical score"),
                            ("hours", "hours"),
                            ("score", "module score"),
                            ("evidence", "evidence file"),
                        ],
                        max_length=16,
                        verbose_name="field",
                    ),
                ),
                ("old_value", models.CharField(blank=True, max_length=255, verbose_name="old value")),
                ("new_value", models.CharField(blank=True, max_length=255, verbose_name="new value")),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                ("request_id", models.CharField(blank=True, max_length=64, verbose_name="request id")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="time")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "attempt",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="certification.assessmentattempt",
                        verbose_name="attempt",
                    ),
                ),
                (
                    "enrolment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="score_changes",
                        to="certification.enrolment",
                    ),
                ),
                (
                    "module",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="certification.module",
                        verbose_name="module",
                    ),
                ),
            ],
            options={
                "verbose_name": "score or hours change",
                "verbose_name_plural": "score and hours history",
                "ordering": ["created_at", "pk"],
                "base_manager_name": "objects",
                "indexes": [models.Index(fields=["enrolment", "created_at"], name="certificati_enrolme_a2dd50_idx")],
            },
        ),
        migrations.CreateModel(
            name="VettingDecision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "from_status",
                    models.CharField(
                        choices=[("pending", "pending vetting"), ("approved", "approved"), ("suspended", "suspended")],
                        max_length=16,
                        verbose_name="from",
                    ),
                ),
                (
                    "to_status",
                    models.CharField(
                        choices=[("pending", "pending vetting"), ("approved", "approved"), ("suspended", "suspended")],
                        max_length=16,
                        verbose_name="to",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("request_id", models.CharField(blank=True, max_length=64, verbose_name="request id")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="time")),
                (
                    "institution",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="vetting_decisions",
                        to="certification.institution",
                        verbose_name="institution",
                    ),
                ),
                (
                    "officer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="officer",
                    ),
                ),
            ],
            options={
                "verbose_name": "vetting decision",
                "verbose_name_plural": "vetting decisions",
                "ordering": ["created_at", "pk"],
                "base_manager_name": "objects",
                "indexes": [models.Index(fields=["institution", "created_at"], name="certificati_institu_db794e_idx")],
            },
        ),
        migrations.RunPython(append_only, not_append_only),
        migrations.RunPython(officers_may_view, migrations.RunPython.noop),
    ]
