"""Jobs the scheduler (`manage.py run_scheduler`) runs every round, registered by the apps that own
them in their AppConfig.ready(): the scheduler's command cannot import every app (the layers in
pyproject.toml), so an app higher up adds its own job here. A job is quick (it enqueues, it does
not do the work) and safe to run twice."""

from collections.abc import Callable

_JOBS: list[Callable[[], object]] = []


def register(job: Callable[[], object]) -> Callable[[], object]:
    if job not in _JOBS:
        _JOBS.append(job)
    return job


def jobs() -> list[Callable[[], object]]:
    return list(_JOBS)
