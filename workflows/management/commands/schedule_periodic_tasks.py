"""`manage.py schedule_periodic_tasks`: start the hourly background tasks, once.

Run on every start (`make run` does): when a run is already waiting in the queue, nothing is added.
The tasks then re-enqueue themselves; a worker (`manage.py db_worker`) runs them.
"""

from django.core.management.base import BaseCommand

from workflows.tasks import schedule_close_due_publicity


class Command(BaseCommand):
    help = "Enqueue the periodic background tasks unless they are already waiting in the queue."

    def handle(self, *args, **options):
        if schedule_close_due_publicity():
            self.stdout.write("close_due_publicity_task enqueued.")
        else:
            self.stdout.write("close_due_publicity_task is already waiting in the queue.")
