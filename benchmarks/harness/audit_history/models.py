"""django-pghistory tracking ``auth.Group``, an anchor of ``security_audit_append.py --anchors``.

Its triggers store a snapshot of each inserted or updated row inside the statement that
changed it, and refuse to change a stored one (``append_only``); nothing is hashed or
chained. The benchmark installs and removes the triggers per round (``pgtrigger``).
"""

import pghistory
from django.contrib.auth.models import Group

pghistory.track(app_label="audit_history", append_only=True)(Group)
