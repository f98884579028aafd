"""A task worker (`manage.py db_worker ARGS`) that counts its database queries and its peak memory.

    BENCH_PROBE_OUT=/tmp/worker-1.json python bench/probed_worker.py --batch ...

Used by bench/issuance.py to print queries per certificate and each worker's peak RSS. At exit it
writes {"pid", "queries", "peak_rss_kb", "cpu_seconds"} to BENCH_PROBE_OUT. Counting is one integer increment per
query (an execute wrapper installed on every connection the process opens): nothing the worker does
otherwise changes.
"""

import json
import os
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.backends.signals import connection_created

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    def on_connection(sender, connection, **kwargs):
        if count not in connection.execute_wrappers:
            connection.execute_wrappers.append(count)

    connection_created.connect(on_connection, weak=False)
    try:
        call_command("db_worker", *sys.argv[1:])
    finally:
        out = os.environ.get("BENCH_PROBE_OUT")
        if out:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            Path(out).write_text(
                json.dumps(
                    {
                        "pid": os.getpid(),
                        "queries": queries,
                        "peak_rss_kb": usage.ru_maxrss,  # KB on Linux
                        "cpu_seconds": usage.ru_utime + usage.ru_stime,
                    }
                )
            )


if __name__ == "__main__":
    main()
