"""Users of the school's roles, for tests."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission


def school_admin(username: str = "admin", password: str = "x") -> Any:
    """An active staff user holding every permission of the school app (not a superuser)."""
    user = get_user_model().objects.create_user(username, password=password, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="school"))
    return user
