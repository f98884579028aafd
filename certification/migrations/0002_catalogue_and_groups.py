"""Seed the default catalogue (docs/spec.md §2) and the role groups; make the state log append-only in SQL."""

from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

TRACKS = [
    # code, zh, en, title, requires 3D evidence, modules: (code, zh, en, min hours, evidence required)
    (
        "PM",
        "服装制版",
        "Pattern-making",
        "时尚工程师（制版师）",
        True,
        [
            ("SAMPLE", "版样制作", "Sample patterns", "60", False),
            ("3D", "3D建模", "3D garment modelling", "40", True),
            ("FABRIC", "面料学", "Fabric science", "24", False),
        ],
    ),
    (
        "CR",
        "服装工艺",
        "Garment craft",
        "时尚工程师（工艺师）",
        False,
        [
            ("INDUSTRIAL", "工业制作", "Industrial production", "80", False),
            ("SAMPLE", "版样制作", "Sample patterns", "40", False),
            ("FABRIC", "面料学", "Fabric science", "24", False),
        ],
    ),
    (
        "NM",
        "新媒体营销",
        "New-media marketing",
        "时尚工程师（新媒体营销）",
        False,
        [
            ("STYLING", "服装搭配", "Outfit styling", "40", False),
            ("OPERATIONS", "新媒体运营", "New-media operations", "60", False),
            ("FABRIC", "面料学", "Fabric science", "24", False),
        ],
    ),
]

GROUP_PERMISSIONS = {
    # The admin is the officers' back office; what they may do to an object is decided elsewhere.
    "officers": ["view", "add", "change"],
    "assessors": [],
    "institution staff": [],
    "trainees": [],
}

# Deletes are refused in SQL on PostgreSQL only: Django's test flush on SQLite uses DELETE, on
# PostgreSQL TRUNCATE (which row triggers do not see). The ORM and the admin refuse deletes everywhere.
APPEND_ONLY_SQL = {
    "sqlite": [
        "CREATE TRIGGER statelog_no_update BEFORE UPDATE ON certification_statelog "
        "BEGIN SELECT RAISE(ABORT, 'state log is append-only'); END;",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION certification_statelog_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'state log is append-only'; END; $$ LANGUAGE plpgsql;",
        "CREATE TRIGGER statelog_append_only BEFORE UPDATE OR DELETE ON certification_statelog "
        "FOR EACH ROW EXECUTE FUNCTION certification_statelog_append_only();",
    ],
}


def seed(apps, schema_editor):
    Track = apps.get_model("certification", "Track")
    Module = apps.get_model("certification", "Module")
    for code, zh, en, title, needs_3d, modules in TRACKS:
        track, _ = Track.objects.get_or_create(
            code=code,
            defaults={"name_zh": zh, "name_en": en, "certificate_title": title, "requires_3d_evidence": needs_3d},
        )
        for position, (module_code, mzh, men, hours, evidence) in enumerate(modules):
            Module.objects.get_or_create(
                track=track,
                code=module_code,
                defaults={
                    "name_zh": mzh,
                    "name_en": men,
                    "min_hours": Decimal(hours),
                    "evidence_required": evidence,
                    "position": position,
                },
            )

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        if actions:
            perms = Permission.objects.filter(
                content_type__app_label="certification",
                codename__regex=r"^(%s)_" % "|".join(actions),
            )
            group.permissions.set(perms)


def append_only(apps, schema_editor):
    for statement in APPEND_ONLY_SQL.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(append_only, migrations.RunPython.noop),
    ]
