"""Server-side cost of verifying a passkey against verifying an authenticator app's code.

One process, SQLite in memory, interleaved rounds. Each passkey verification is what the
verify page's "Use a passkey" costs the server: new options (a challenge in the session),
then ``passkeys.authenticate`` (parse, row lock, ES256 signature check, counter update).
The baseline, in the same rounds, is ``devices.check_code`` with a fresh TOTP code (the
decryption of the secret, HMAC-SHA1 over the window, the device's update). The
authenticator's own work (signing) is done outside the timed part.

Prints the median microseconds of each and the ratio passkey / TOTP. No target is fixed:
the figure says what replacing a code by a passkey costs per sign-in.

    python benchmarks/security_passkey_verify.py [--rounds 7] [--per-round 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The software passkey of the security package's tests.
sys.path.insert(0, str(ROOT / "packages" / "django-prodready-security"))


def setup_django() -> None:
    import django
    from django.conf import settings
    from tests.passkey_support import ORIGIN, RP_ID

    settings.configure(
        SECRET_KEY="benchmark-only",
        USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "prodready",
            "prodready_security",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        PRODREADY_OTP_ENCRYPTION_KEYS=["5fcKCZtEh7xF1u15WBvoikdJ2mOvWu7HAU3Cg27zTUY="],
        PRODREADY_OTP_WEBAUTHN_RP_ID=RP_ID,
        PRODREADY_OTP_WEBAUTHN_ORIGINS=[ORIGIN],
    )
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class FakeRequest:
    """What the passkey functions use of a request: its session."""

    def __init__(self) -> None:
        self.session: dict[str, Any] = {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=200)
    args = parser.parse_args()
    setup_django()

    from django.contrib.auth import get_user_model
    from django_otp.oath import TOTP
    from tests.passkey_support import SoftPasskey

    from prodready_security.otp import devices, passkeys
    from prodready_security.otp.models import EncryptedTOTPDevice

    user = get_user_model().objects.create_user("bench", password="x")
    app = EncryptedTOTPDevice.create_pending(user)
    devices.enable(app)
    request = FakeRequest()
    soft = SoftPasskey()
    passkeys.register(
        request, user, soft.create(passkeys.registration_options(request, user)), "K"
    )
    totp = TOTP(app.secret, app.step, app.t0, app.digits, 0)
    count = 0

    def passkey_once() -> float:
        nonlocal count
        count += 1
        options = passkeys.authentication_options(request, user)
        answer = soft.get(options, count)  # the authenticator's work: not the server's
        started = time.perf_counter()
        passkeys.authenticate(request, answer, user=user)
        return time.perf_counter() - started

    def totp_once() -> float:
        EncryptedTOTPDevice.objects.filter(pk=app.pk).update(last_t=-1)  # a fresh code again
        code = f"{totp.token():06d}"
        started = time.perf_counter()
        result = devices.check_code(user, code)
        elapsed = time.perf_counter() - started
        if not result.ok:
            raise SystemExit(f"the TOTP baseline refused its own code: {result.reason}")
        return elapsed

    # The options are made inside the timed part for passkeys: time them separately too.
    def options_once() -> float:
        started = time.perf_counter()
        passkeys.authentication_options(request, user)
        return time.perf_counter() - started

    for warm in (passkey_once, totp_once):
        for _ in range(20):
            warm()
    passkey_times: list[float] = []
    totp_times: list[float] = []
    option_times: list[float] = []
    ratios: list[float] = []
    for _ in range(args.rounds):
        p = [passkey_once() for _ in range(args.per_round)]
        t = [totp_once() for _ in range(args.per_round)]
        o = [options_once() for _ in range(args.per_round)]
        passkey_times += p
        totp_times += t
        option_times += o
        ratios.append((statistics.median(p) + statistics.median(o)) / statistics.median(t))
    passkey_us = statistics.median(passkey_times) * 1e6
    options_us = statistics.median(option_times) * 1e6
    totp_us = statistics.median(totp_times) * 1e6
    print(f"passkey verification: options {options_us:.0f} us + check {passkey_us:.0f} us")
    print(f"TOTP code check (baseline): {totp_us:.0f} us")
    print(
        f"ratio passkey / TOTP: {statistics.median(ratios):.2f} "
        f"(median of {args.rounds} rounds; min {min(ratios):.2f}, max {max(ratios):.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
