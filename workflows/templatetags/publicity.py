"""Template tags for the office's dashboard (a domain page, which may not import workflows)."""

from django import template

from certification import permissions
from workflows.models import ObjectionStatus
from workflows.publicity import services as publicity

register = template.Library()

DASHBOARD_OBJECTIONS = 5


@register.simple_tag(takes_context=True)
def open_objections(context) -> dict:
    """The oldest open objections (they wait longest) and how many are open, for officers only."""
    if not permissions.is_officer(context["request"].user):
        return {"items": [], "count": 0}
    waiting = publicity.objections_with(ObjectionStatus.OPEN)
    return {"items": list(waiting[:DASHBOARD_OBJECTIONS]), "count": waiting.count()}
