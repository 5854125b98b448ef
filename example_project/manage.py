#!/usr/bin/env python
"""Django's command-line utility for the example school site."""

import os
import sys


def main() -> None:
    # The embedded default: no services needed. Production sets the variable itself.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "school_site.settings.dev")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A configuration mistake (such as missing environment variables) is the
        # operator's to fix: show the message, not a traceback.
        sys.exit(f"manage.py: {exc}")


if __name__ == "__main__":
    main()
