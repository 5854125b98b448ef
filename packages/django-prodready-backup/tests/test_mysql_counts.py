"""Row counts read from a dump stream, in both tools' forms, however it is cut in chunks."""

import pytest

from prodready_backup.targets.base import Facts
from prodready_backup.targets.mysql_counts import DumpCounter

# mysqldump (MySQL): a statement a line. mariadb-dump: a row a line.
MYSQL = (
    b"CREATE TABLE `empty` (\n  `id` int\n);\n"
    b"CREATE TABLE `odd``name` (\n  `id` int\n);\n"
    b"INSERT INTO `odd``name` VALUES (1,'a),(b'),(2,'it\\'s (x)'),(3,0x28);\n"
    b"INSERT INTO `odd``name` VALUES (4,'back\\\\'),(5,NULL);\n"
    b"INSERT INTO `django_migrations` VALUES (1,'auth','0001_initial','2026-01-01'),"
    b"(2,'it\\'s','0002_x','2026-01-01');\n"
)
MARIADB = (
    b"CREATE TABLE `empty` (\n  `id` int\n);\n"
    b"CREATE TABLE `odd``name` (\n  `id` int\n);\n"
    b"INSERT INTO `odd``name` VALUES\n(1,'a),(b'),\n(2,'it\\'s (x)'),\n(3,0x28);\n"
    b"INSERT INTO `odd``name` VALUES\n(4,'back\\\\'),\n(5,NULL);\n"
    b"INSERT INTO `django_migrations` VALUES\n(1,'auth','0001_initial','2026-01-01'),\n"
    b"(2,'it\\'s','0002_x','2026-01-01');\n"
)


@pytest.mark.parametrize("dump", [MYSQL, MARIADB], ids=["mysqldump", "mariadb-dump"])
@pytest.mark.parametrize("size", [1, 2, 7, 64, 10_000])
def test_rows_are_counted_in_any_chunking(dump, size):
    facts = Facts()
    chunks = [dump[i : i + size] for i in range(0, len(dump), size)]
    assert b"".join(DumpCounter(facts).through(chunks)) == dump  # passed on unchanged
    assert facts.row_counts == {"empty": 0, "odd`name": 5, "django_migrations": 2}
    assert facts.migrations == ["auth.0001_initial", "it's.0002_x"]
