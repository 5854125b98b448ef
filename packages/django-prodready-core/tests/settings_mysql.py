"""The test settings plus a MySQL/MariaDB alias, for core's MySQL tests alone.

Core's other tests judge every alias of DATABASES (health checks, readiness findings),
so the alias is not in tests.settings; nox runs the requires_mysql tests a second time
with these settings (``--ds=tests.settings_mysql -m requires_mysql``).
"""

from prodready._ci import mysql_test_databases
from tests.settings import *  # noqa: F403
from tests.settings import DATABASES

# MySQL/MariaDB where its driver is installed (PRODREADY_TEST_MYSQL, default 127.0.0.1:3306).
DATABASES.update(mysql_test_databases("test_prodready_core"))
