"""Which target modules a backup process loads: only its databases' vendors'."""

from __future__ import annotations

import os
import subprocess
import sys

# In a fresh process: the test session has imported every target module already.
LOOK_UP = """
import sys
import django
django.setup()
from prodready_backup.targets import builtin_targets
print([target.name for target in builtin_targets()])
print(sorted(name for name in sys.modules if name.startswith("prodready_backup.targets.")))
"""


def test_only_the_vendors_target_module_is_imported() -> None:
    # The settings back up one SQLite database, without media: neither the PostgreSQL
    # nor the MySQL module is loaded, nor the media target's (tarfile), each a cost in
    # every backup process's memory. (A PostgreSQL site loads no sqlite3 in the same way.)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    found = subprocess.run(
        [sys.executable, "-c", LOOK_UP], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert found[0] == "['db-default']"
    assert found[1] == str(
        [
            "prodready_backup.targets.base",
            "prodready_backup.targets.media_root",
            "prodready_backup.targets.sqlite",
        ]
    )
