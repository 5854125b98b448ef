"""WSGI entry point for application servers, which run production settings by default.

runserver goes through manage.py and the dev settings instead.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "school_site.settings.production")

application = get_wsgi_application()
