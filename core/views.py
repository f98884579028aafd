"""Small helpers every page uses: role-gated decorators, pagination, service errors as HTTP."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils.translation import gettext as _

from core import roles as permissions
from core.errors import InvalidInput, LifecycleError
from core.lists import DeferredJoinPaginator

PAGE_SIZE = 25


def role_required(*predicates):
    """Login first (anonymous → login page), then the role (wrong role → 403)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(predicate(request.user) for predicate in predicates):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


officer_required = role_required(permissions.is_officer)
institution_required = role_required(permissions.is_institution_staff)
staff_or_officer_required = role_required(permissions.is_officer, permissions.is_institution_staff)


def paginate(request, queryset, per_page: int = PAGE_SIZE, *, decorate=None) -> dict:
    """Context for includes/pagination.html: page_obj and the query string to keep filters.
    A queryset's page is found by primary key first, then `decorate` adds what only the page's rows
    need (counts, joins): see core.lists.DeferredJoinPaginator."""
    if isinstance(queryset, QuerySet):
        paginator: Paginator = DeferredJoinPaginator(queryset, per_page, decorate=decorate)
    else:
        paginator = Paginator(queryset, per_page)
    page_obj = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return {"page_obj": page_obj, "querystring_without_page": f"{encoded}&" if encoded else ""}


def render_error(request, error: LifecycleError, template: str, context: dict):
    """Show the page again with the service's message and its status (403, 409 or 400)."""
    context = {**context, "error_message": error.message}
    return render(request, template, context, status=error.http_status)


def selected_ids(request, field: str = "enrolment", *, at_least_one: bool = True) -> list[int]:
    """The ids ticked in a list's checkboxes; InvalidInput when one is not a number, or when none is
    ticked and the action needs at least one (a bulk action on nothing would say "0 done")."""
    try:
        ids = [int(value) for value in request.POST.getlist(field)]
    except ValueError:
        raise InvalidInput(_("The selection is not valid: reload the page and select again.")) from None
    if at_least_one and not ids:
        raise InvalidInput(_("Select at least one."))
    return ids
