from django.db import migrations, models
from django.db.models import Count, Min
from django.utils import timezone


def skip_duplicate_waiting_items(apps, schema_editor):
    """Before the constraint: an enrolment waiting in two runs (two runs started at the same moment)
    stays with the older one; the newer run's item is skipped, so that run can finish."""
    IssuanceItem = apps.get_model("certificates", "IssuanceItem")
    duplicated = (
        IssuanceItem.objects.filter(status="pending")
        .values("enrolment_id")
        .annotate(n=Count("pk"), first=Min("pk"))
        .filter(n__gt=1)
    )
    for row in duplicated:
        IssuanceItem.objects.filter(status="pending", enrolment_id=row["enrolment_id"]).exclude(pk=row["first"]).update(
            status="skipped",
            message="Also waiting in an earlier run, which issues it.",
            finished_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
        ("certification", "0004_years_in_trade_limit"),
    ]

    operations = [
        migrations.RunPython(skip_duplicate_waiting_items, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="issuanceitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")), fields=("enrolment",), name="one_waiting_item_per_enrolment"
            ),
        ),
    ]
