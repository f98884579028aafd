"""What needs the office now, on its dashboard: one registry, filled by the apps that own the rows.

The domain imports no other app (an import-linter contract), yet the office's dashboard (here, in
certification.views.dashboard) must say how many objections are open or issuance runs failed. So
the app that can count a thing registers a function from its AppConfig.ready() with
`@attention.for_office`; the dashboard shows every registered item, in registration order, each a
count, a sentence and a link. Each function costs a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .models import User


@dataclass(frozen=True)
class Attention:
    key: str
    label: str
    count: int
    url: str | None
    more: str = ""  # the link's words


Provider = Callable[[User], list[Attention]]

_PROVIDERS: list[Provider] = []


def for_office(provider: Provider) -> Provider:
    """Register the decorated function (from an AppConfig.ready): it returns the office's items."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def office_items(user: User) -> list[Attention]:
    return [item for provider in _PROVIDERS for item in provider(user)]
