"""Security's staff pages in the operations navigation (``prodready_operations_pages``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prodready import OperationsPage


def operations_pages() -> list[OperationsPage]:
    from prodready_security.audit.cards import VIEW_PERMISSION as VIEW_AUDIT
    from prodready_security.headers.views import VIEW_PERMISSION as VIEW_CSP_REPORTS
    from prodready_security.ratelimit.views import UNLOCK_PERMISSION

    return [
        OperationsPage(_("Audit log"), "prodready_security_audit:recent", VIEW_AUDIT, order=40),
        OperationsPage(
            _("CSP reports"), "prodready_security_csp:recent", VIEW_CSP_REPORTS, order=50
        ),
        OperationsPage(
            _("Sign-in lockouts"), "prodready_lockouts:list", UNLOCK_PERMISSION, order=55
        ),
        # Every staff member's own sessions and second factor (the pages check the rest).
        OperationsPage(_("Sessions"), "prodready_sessions:manage", order=60),
        OperationsPage(_("Two-factor"), "prodready_otp:manage", order=70),
    ]
