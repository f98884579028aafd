"""Indexes viewflow's own tables lack (NOTES.md): the inbox and queue filter on these columns."""

from django.db import migrations

INDEXES = [
    ("wf_process_flow_status", "viewflow_process", "flow_class, status"),
    ("wf_task_status_type_perm", "viewflow_task", "status, flow_task_type, owner_permission"),
    ("wf_task_flowtask_status", "viewflow_task", "flow_task, status"),
    ("wf_task_owner_status", "viewflow_task", "owner_id, status"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns});",
            f"DROP INDEX IF EXISTS {name};",
        )
        for name, table, columns in INDEXES
    ]
