"""One row per signed-in session, so a user's sessions can be listed and revoked."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_lazy

from prodready_security.sessions.useragent import describe


class UserSession(models.Model):
    key_hash = models.CharField(max_length=64, unique=True)  # sha256 of the session key
    encrypted_key = models.TextField()  # to delete it from the session store on revoke
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    user_agent = models.CharField(max_length=500, blank=True)
    client_address = models.CharField(max_length=45, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "prodready_security"
        ordering = ["-last_seen_at"]
        verbose_name = gettext_lazy("signed-in session")
        permissions = [("revoke_usersession", "Can revoke other users' sessions")]

    def __str__(self) -> str:
        return gettext("{user} on {device}").format(user=self.user, device=self.device)

    @property
    def device(self) -> str:
        return describe(self.user_agent)
