"""Two-factor authentication with TOTP, on django-otp's device abstractions.

Secrets are encrypted at rest (``crypto``), backup codes are hashed
(``backup_codes``), and ``middleware.OTPEnforcementMiddleware`` makes the users
named by ``PRODREADY_OTP_REQUIRED_*`` enrol and verify before any other page.
"""
