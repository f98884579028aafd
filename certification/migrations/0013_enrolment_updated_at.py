"""Enrolment.updated_at, for the API's `updated_since` (sync): existing rows take the time of their
last move, the best record there is of when they last changed."""

import django.utils.timezone
from django.db import migrations, models


def from_last_move(apps, schema_editor):
    Enrolment = apps.get_model("certification", "Enrolment")
    # The plain QuerySet: the model's own refuses nothing here, but this stays a single UPDATE.
    models.QuerySet(Enrolment).update(updated_at=models.F("status_changed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0012_employer_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrolment",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now, verbose_name="updated at"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(from_last_move, migrations.RunPython.noop),
    ]
