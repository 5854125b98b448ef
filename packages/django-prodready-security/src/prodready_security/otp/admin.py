"""Admin for 2FA devices: see who enrolled, and delete a device to reset a user's 2FA.

Nothing is added or edited here (devices are made by the user's own setup page), and
neither the encrypted secret nor backup code hashes are shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from prodready_security.otp.models import BackupCodeDevice, EncryptedTOTPDevice


class DeviceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_select_related = ["user"]
    search_fields = ["user__username", "name"]
    fields = readonly_fields = ("user", "name", "confirmed", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EncryptedTOTPDevice)
class EncryptedTOTPDeviceAdmin(DeviceAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]


@admin.register(BackupCodeDevice)
class BackupCodeDeviceAdmin(DeviceAdmin):
    list_display = ["user", "remaining", "created_at", "last_used_at"]

    @admin.display(description=gettext_lazy("unused codes"))
    def remaining(self, device: BackupCodeDevice) -> int:
        count: int = device.codes.count()
        return count
