"""Share links: a holder's own link to their certificate's public page, with an end (docs/spec.md §12)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import User


class ShareLink(models.Model):
    """A link the holder hands out (to an employer, say) instead of the number: it opens the same
    masked public facts as /verify/<number>/, counts as a check of its own kind in the holder's log,
    and stops working at its end or when the holder revokes it."""

    certificate = models.ForeignKey(
        "certificates.Certificate", on_delete=models.PROTECT, related_name="share_links", verbose_name=_("certificate")
    )
    # 128 random bits, URL-safe; not secret beyond what it shows (the public facts), so kept as it
    # is and shown again to the holder whenever they look at their links.
    token = models.CharField(max_length=32, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("works until"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.token[:6]}…"

    def is_active(self, now=None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at
