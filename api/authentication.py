"""How a request shows who it is: the browser's session (CSRF enforced by DRF's
SessionAuthentication), or an institution's API key in `Authorization: Api-Key <key>`."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework_api_key.permissions import KeyParser

from .models import InstitutionAPIKey

# last_used_at is written at most this often per key: a busy sync client would otherwise write a
# row on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


class InstitutionAPIKeyAuthentication(authentication.BaseAuthentication):
    """`request.user` is the key's own institution-staff account (api.keys); `request.auth` the key."""

    keyword = KeyParser.keyword
    key_parser = KeyParser()

    def authenticate(self, request):
        secret = self.key_parser.get(request)
        if secret is None:
            return None  # no key: the session may still authenticate
        prefix = secret.partition(".")[0]
        key = (
            InstitutionAPIKey.objects.select_related("service_user", "institution")
            .filter(prefix=prefix, revoked=False)
            .first()
        )
        if key is None or not key.is_valid(secret) or key.has_expired or not key.service_user.is_active:
            raise exceptions.AuthenticationFailed(_("This API key is not valid or has been revoked."))
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
            InstitutionAPIKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return key.service_user, key

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to a request with no credentials at all.
        return self.keyword
