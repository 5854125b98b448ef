"""The permission to see and end sign-in lockouts. Lockouts live in the rate-limit
cache, not in a table: the model exists for its permission only (no table)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class LoginLockout(models.Model):
    class Meta:
        app_label = "prodready_security"
        managed = False
        default_permissions = ()
        permissions = [("unlock_loginlockout", "Can see and end sign-in lockouts")]
        verbose_name = gettext_lazy("sign-in lockout")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
