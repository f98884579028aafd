"""Officers keep the holiday calendar of the 公示 in the admin and can read notices and objections there."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = [
    "add_nonworkingday",
    "change_nonworkingday",
    "delete_nonworkingday",
    "view_nonworkingday",
    "view_publicitynotice",
    "view_objection",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("workflows")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    officers, _ = Group.objects.get_or_create(name="officers")
    officers.permissions.add(*Permission.objects.filter(content_type__app_label="workflows", codename__in=GRANTS))


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0002_viewflow_indexes"),
        ("certification", "0002_catalogue_and_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
