"""Content-Security-Policy violations seen in the browser, for the ``page`` fixture to fail on.

Three witnesses, as each can miss what another sees: the ``securitypolicyviolation``
event in every document, Chromium's console ("Refused to apply inline style ..."), and
the reports the browser posts to the policy's ``report-uri`` (stored by
prodready_security as ``CSPReport`` rows).
"""

from __future__ import annotations

from typing import Any

BINDING = "prodreadyCSPViolation"
# Added by Playwright to every document before the page's own content; the policy does not
# apply to it. It never runs in production.
LISTENER = f"""
document.addEventListener("securitypolicyviolation", (event) => {{
  window.{BINDING}([
    event.effectiveDirective, "blocked", event.blockedURI,
    "in", event.sourceFile || event.documentURI, "line", event.lineNumber,
    event.sample ? `(${{JSON.stringify(event.sample)}})` : "",
  ].join(" "));
}});
"""


class CSPViolations:
    """What the browser contexts of one test reported breaking the page's CSP."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def watch(self, context: Any) -> None:
        """Record every violation in ``context``'s pages from now on."""
        context.expose_binding(BINDING, lambda _source, text: self.seen.append(f"event: {text}"))
        context.add_init_script(LISTENER)
        context.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.seen.append(f"console: {message.text}")

    def take(self) -> list[str]:
        """Everything seen so far, reports stored by the site included; then forget it."""
        from prodready_security.headers.models import CSPReport

        reports = CSPReport.objects.order_by("pk")
        found = self.seen + [
            f"report: {report.directive} blocked {report.blocked_uri} on {report.document_uri}"
            for report in reports
        ]
        self.seen = []
        reports.delete()
        return found
