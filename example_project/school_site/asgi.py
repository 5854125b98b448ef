"""ASGI entry point for application servers, which run production settings by default.

runserver goes through manage.py and the dev settings instead.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "school_site.settings.production")

application = get_asgi_application()
