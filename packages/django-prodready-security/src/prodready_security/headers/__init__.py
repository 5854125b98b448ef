"""Security headers Django does not send, and a CSP violation report endpoint.

- ``policy``, ``middleware``: Permissions-Policy, Cross-Origin-Opener-Policy and
  Cross-Origin-Resource-Policy from settings, never replacing a header already set
- ``reports``, ``views``, ``urls``, ``models``, ``admin``: CSP violation reports,
  received, stored and shown to staff
- ``checks``, ``findings``: system checks and readiness findings (CSP, cookies)

The Content-Security-Policy header itself is Django's (``SECURE_CSP`` from Django 6.0)
or django-csp's: this package does not build one.
"""
