"""The assessors' workload figure (workflows.statistics) counts the review tasks by owner: an index
with every column it reads, so that PostgreSQL answers from the index alone (index-only scan) and
SQLite from a covering index, instead of reading 90,000 task rows at 100,000 enrolments."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0005_objection_receipts_and_office"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS wf_task_workload "
            "ON viewflow_task (flow_task, status, owner_id, finished, assigned, process_id);",
            "DROP INDEX IF EXISTS wf_task_workload;",
        )
    ]
