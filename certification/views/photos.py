"""Trainee photos are private: served only to the registering institution, officers, the trainee and
the assessors who may review them.

Media has no public URL (settings.MEDIA_URL); this view is the only way to a photo.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache

from certification import permissions, photos, selectors
from certification.models import Trainee


@never_cache
@login_required
def trainee_photo(request, pk):
    trainee = _trainee_whose_photo_user_may_see(request.user, pk)
    if not trainee.photo:
        raise Http404
    try:
        file = trainee.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(file, content_type=photos.content_type_of(trainee.photo.name))


def _trainee_whose_photo_user_may_see(user, pk) -> Trainee:
    # Everyone else gets 404, not 403: a refusal would confirm that the trainee exists.
    if permissions.is_trainee(user):
        return get_object_or_404(Trainee, pk=pk, user=user)
    if permissions.is_assessor(user):
        # docs/spec.md §6: the assessor sees the photo of a candidate they may review.
        candidates = selectors.enrolments_visible_to(user).values("trainee_id")
        return get_object_or_404(Trainee, pk=pk, pk__in=candidates)
    return get_object_or_404(selectors.trainees_visible_to(user), pk=pk)
