"""`manage.py run_scheduler`: the periodic scheduler, one process per deployment (deploy/).

Every minute: makes sure the hourly close of ended public notices is waiting in the queue
(workflows.tasks; it re-enqueues itself, so this only restarts a chain that a lost worker broke),
enqueues the workers' heartbeat that /healthz reads (core.tasks), the sending of due notification
e-mails and, once an hour, the notifications' daily round (notifications.tasks), the refresh of
the statistics' derived rows (certification.derived_figures) and the jobs other apps registered
in core.periodic (the webhooks' retries). The workers run them. A
second scheduler by mistake is harmless: both steps enqueue only when nothing is waiting.
"""

import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from core import periodic
from core.tasks import enqueue_heartbeat
from notifications.tasks import schedule_notifications
from workflows.tasks import schedule_close_due_publicity, schedule_stage_durations_refresh

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Enqueue the periodic tasks and the workers' heartbeat, every minute, until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between rounds (default 60)")
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args, interval, once, **options):
        stopping = threading.Event()
        if not once:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stopping.set())
            self.stdout.write(f"Scheduler: a round every {interval:g} s; Ctrl-C or SIGTERM stops it.")
        while True:
            try:
                schedule_close_due_publicity()
                enqueue_heartbeat()
                schedule_notifications()
                schedule_stage_durations_refresh()
                for job in periodic.jobs():  # the apps' own (e.g. integrations' webhook retries)
                    job()
            except Exception:
                # The database may be restarting: try again next round rather than die.
                logger.exception("scheduler round failed")
            finally:
                close_old_connections()
            if once or stopping.wait(interval):
                break
