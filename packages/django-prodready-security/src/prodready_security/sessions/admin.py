"""Admin of signed-in sessions: find a user's sessions and sign them out.

Rows are not added or edited here; "Sign out selected sessions" deletes the sessions
from the store (and is audited), for superusers and holders of the revoke permission.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from prodready_security.sessions.models import UserSession
from prodready_security.sessions.revoke import revoke
from prodready_security.sessions.views import can_revoke_others, signed_out_message


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "device", "client_address", "created_at", "last_seen_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "client_address"]
    fields = readonly_fields = (
        "user",
        "device",
        "user_agent",
        "client_address",
        "created_at",
        "last_seen_at",
    )
    actions = ["sign_out"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting a row would leave its session alive: use the action

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return can_revoke_others(request.user)

    @admin.action(description=gettext_lazy("Sign out selected sessions"), permissions=["revoke"])
    def sign_out(self, request: HttpRequest, queryset: QuerySet[UserSession]) -> None:
        ended = revoke(queryset.select_related("user"), request=request)
        self.message_user(request, signed_out_message(ended))
