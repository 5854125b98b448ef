"""The 2FA devices: django-otp's ``Device`` with its throttling, our storage of secrets.

django-otp's own ``TOTPDevice`` keeps its key as plain hex, and its ``StaticToken``
keeps backup codes in clear. Rather than patch those models, these devices are
built from the same abstract parts (``Device``, ``ThrottlingMixin``,
``TimestampMixin``) and the same ``django_otp.oath.TOTP``, so ``OTPMiddleware``,
``django_otp.login``, ``django_otp.verify_token`` and ``devices_for_user`` treat
them like any django-otp device, while the TOTP secret is stored encrypted
(``crypto``) and backup codes only as hashes (``backup_codes``).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy
from django_otp.models import (
    Device,
    ThrottlingMixin,
    TimestampMixin,
)
from django_otp.oath import TOTP

from prodready_security.conf import conf
from prodready_security.otp import backup_codes, crypto

SECRET_BYTES = 20  # RFC 4226's recommended length for HMAC-SHA1


class EncryptedTOTPDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]
    """An authenticator app. Fields as django-otp's ``TOTPDevice``, the key encrypted."""

    encrypted_key = models.TextField(
        editable=False,
        help_text=gettext_lazy("The TOTP secret, encrypted with PRODREADY_OTP_ENCRYPTION_KEYS."),
    )
    step = models.PositiveSmallIntegerField(
        default=30, help_text=gettext_lazy("The time step in seconds.")
    )
    t0 = models.BigIntegerField(
        default=0, help_text=gettext_lazy("The Unix time steps are counted from.")
    )
    digits = models.PositiveSmallIntegerField(
        default=6, help_text=gettext_lazy("Digits in a token.")
    )
    tolerance = models.PositiveSmallIntegerField(
        default=1,
        help_text=gettext_lazy("Time steps before or after the current one that are accepted."),
    )
    drift = models.SmallIntegerField(
        default=0, help_text=gettext_lazy("Time steps the device's clock is known to be off by.")
    )
    last_t = models.BigIntegerField(
        default=-1,
        help_text=gettext_lazy(
            "Time step of the last accepted token: only later ones are accepted, "
            "so a token cannot be replayed."
        ),
    )

    class Meta:
        verbose_name = gettext_lazy("TOTP device")

    @classmethod
    def create_pending(cls, user: Any, name: str = "Authenticator app") -> EncryptedTOTPDevice:
        """A new unconfirmed device with a fresh secret, confirmed once a code matches."""
        device = cls(user=user, name=name, confirmed=False)
        device.secret = secrets.token_bytes(SECRET_BYTES)
        device.save()
        return device

    @property
    def secret(self) -> bytes:
        return crypto.decrypt(self.encrypted_key)

    @secret.setter
    def secret(self, value: bytes) -> None:
        self.encrypted_key = crypto.encrypt(value)

    # django-otp's TOTPDevice calls its binary key ``bin_key``; same name, same meaning.
    bin_key = secret

    def get_throttle_factor(self) -> float:
        return conf.OTP_THROTTLE_FACTOR

    def verify_token(self, token: object) -> bool:
        """Whether ``token`` is valid now; as django-otp's ``TOTPDevice.verify_token``.

        Refused while throttled; a failure lengthens the throttle. Only tokens of a
        later time step than the last accepted one match, so none is accepted twice.
        """
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        totp = self._match(token)
        if totp is None:
            self.throttle_increment(commit=True)
            return False
        self.last_t = totp.t()
        self.drift = totp.drift
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True

    def accepts(self, token: object) -> bool:
        """Whether ``token`` would be accepted now, changing nothing (not even the throttle)."""
        return self._match(token) is not None

    def _match(self, token: object) -> TOTP | None:
        text = str(token).strip()
        if not (text.isdigit() and len(text) == self.digits):
            return None
        totp = TOTP(self.secret, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        return totp if totp.verify(int(text), self.tolerance, self.last_t + 1) else None


class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]
    """A user's set of single-use backup codes, like django-otp's ``StaticDevice``."""

    class Meta:
        verbose_name = gettext_lazy("backup code set")

    def get_throttle_factor(self) -> float:
        return conf.OTP_THROTTLE_FACTOR

    def replace_codes(self, count: int) -> list[str]:
        """Forget every code and make ``count`` new ones, returned in clear this once."""
        codes = [backup_codes.new_code() for _ in range(count)]
        self.codes.all().delete()
        BackupCode.objects.bulk_create(
            BackupCode(device=self, digest=backup_codes.digest(code)) for code in codes
        )
        return codes

    def verify_token(self, token: object) -> bool:
        """Whether ``token`` is one of the codes; a matching code is used up."""
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        match = self.codes.filter(digest=backup_codes.digest(str(token))).first()
        if match is None:
            self.throttle_increment(commit=True)
            return False
        match.delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(
        max_length=64, help_text=gettext_lazy("SHA-256 of the normalized code.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="prodready_otp_code_unique")
        ]

    def __str__(self) -> str:
        return f"backup code of {self.device}"


class PasskeyDevice(TimestampMixin, Device):  # type: ignore[misc]
    """A passkey (WebAuthn credential): its public key and signature counter, never a
    secret. Verified by ``passkeys`` (py_webauthn), not with a typed token, so
    ``verify_token`` refuses every code."""

    credential_id = models.CharField(
        max_length=1400,  # WebAuthn allows ids of up to 1023 bytes: base64url of that
        unique=True,
        help_text=gettext_lazy("The credential's id, base64url."),
    )
    public_key = models.BinaryField(help_text=gettext_lazy("The COSE public key."))
    sign_count = models.BigIntegerField(
        default=0,
        help_text=gettext_lazy(
            "The authenticator's signature counter at the last use: a lower one is a clone."
        ),
    )
    user_handle = models.CharField(
        max_length=100,
        help_text=gettext_lazy("The random id the passkey stores for its account, base64url."),
    )
    transports = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = gettext_lazy("passkey")

    def verify_token(self, token: object) -> bool:
        return False


class TrustedBrowser(models.Model):
    """A browser whose user skips the second factor until ``expires_at`` (see
    ``trusted_browsers``). Only the digest of the cookie's token is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the token in the browser's cookie."
    )
    bound_to = models.CharField(
        max_length=64,
        help_text="Digest of the user's password and devices when trusted: a change ends it.",
    )
    device_id = models.CharField(
        max_length=255, help_text="The device the browser was verified with."
    )
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "trusted browser"

    def __str__(self) -> str:
        return f"trusted browser of {self.user}"
