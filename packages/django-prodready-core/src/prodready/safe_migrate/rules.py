"""The rules: what makes a migration operation unsafe to run against a live site.

Each rule names the lock the operation takes, what goes wrong, and the safe recipe.
``by_size`` rules hurt in proportion to the table (a lock held while every row is
read or rewritten), so small tables pass; the others break the code still running
during a deploy, or the way back, whatever the size.
"""

from __future__ import annotations

from dataclasses import dataclass

ANY_VENDOR = frozenset({"postgresql", "mysql", "sqlite"})


@dataclass(frozen=True)
class Rule:
    id: str
    lock: str
    problem: str
    recipe: str
    by_size: bool = True
    # The database vendors on which the operation takes the lock described.
    vendors: frozenset[str] = frozenset({"postgresql"})


RULES = {
    rule.id: rule
    for rule in [
        Rule(
            "add-index",
            "SHARE (blocks every write to the table) for the whole index build",
            "builds an index without CONCURRENTLY on an existing table",
            "build it with django.contrib.postgres.operations.AddIndexConcurrently (or "
            "AddField/AlterField with db_index=False, then AddIndexConcurrently; a "
            "UniqueConstraint via AddIndexConcurrently of a unique index) in a migration "
            "with atomic = False",
        ),
        Rule(
            "add-not-null-column",
            "ACCESS EXCLUSIVE, briefly",
            "adds a NOT NULL column without db_default: the code still running during the "
            "deploy inserts rows without it, and those inserts fail",
            "give the field db_default=<value> (the database fills it for old code too), or "
            "add it with null=True, backfill, and make it NOT NULL in a later release",
            by_size=False,
            vendors=ANY_VENDOR,
        ),
        Rule(
            "volatile-default",
            "ACCESS EXCLUSIVE (blocks reads and writes) while the whole table is rewritten",
            "adds a column whose db_default is volatile (computed per row), which rewrites "
            "the table",
            "add the column with null=True and no default, backfill it in batches, then set "
            "the default for new rows",
        ),
        Rule(
            "type-change",
            "ACCESS EXCLUSIVE (blocks reads and writes) while the whole table is rewritten",
            "changes a column's type in a way that rewrites the table",
            "add a new column of the new type, write both from the code, backfill in "
            "batches, switch reads, then drop the old column (widening a varchar or making "
            "it text needs no rewrite)",
            vendors=frozenset({"postgresql", "mysql"}),
        ),
        Rule(
            "set-not-null",
            "ACCESS EXCLUSIVE (blocks reads and writes) while every row is scanned",
            "makes an existing column NOT NULL",
            "add CHECK (column IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT in a second "
            "migration (no blocking lock), then SET NOT NULL (uses the valid check, no scan) "
            "and drop the check, with RunSQL inside SeparateDatabaseAndState",
            vendors=frozenset({"postgresql", "mysql"}),
        ),
        Rule(
            "add-foreign-key",
            "SHARE ROW EXCLUSIVE on both tables (blocks writes) while every row is checked",
            "adds a foreign key constraint that is validated at once",
            "add the field with db_constraint=False, then RunSQL 'ALTER TABLE ... ADD "
            "CONSTRAINT ... FOREIGN KEY ... NOT VALID' and, in a second migration, "
            "'VALIDATE CONSTRAINT' (takes no blocking lock)",
        ),
        Rule(
            "add-check-constraint",
            "ACCESS EXCLUSIVE (blocks reads and writes) while every row is checked",
            "adds a check constraint that is validated at once",
            "RunSQL 'ALTER TABLE ... ADD CONSTRAINT ... CHECK (...) NOT VALID', then "
            "'VALIDATE CONSTRAINT' in a second migration, inside SeparateDatabaseAndState "
            "with the AddConstraint as its state operation",
        ),
        Rule(
            "rename",
            "ACCESS EXCLUSIVE, briefly",
            "renames a column or table that the code still running during the deploy uses "
            "by its old name",
            "keep the database name (db_column= on the field, db_table= on the model), or "
            "deploy in two steps: add the new column and write both, then drop the old one",
            by_size=False,
            vendors=ANY_VENDOR,
        ),
        Rule(
            "remove",
            "ACCESS EXCLUSIVE, briefly",
            "drops a column or table that the code still running during the deploy reads",
            "deploy in two steps: first a release whose code no longer uses it, removing it "
            "from the state only (SeparateDatabaseAndState(state_operations=[...])); then "
            "drop it in the next release, marked reviewed",
            by_size=False,
            vendors=ANY_VENDOR,
        ),
        Rule(
            "irreversible",
            "none",
            "has no reverse, so `migrate app <previous>` cannot go back past it",
            "give RunPython a reverse_code (migrations.RunPython.noop when there is nothing "
            "to undo) and RunSQL a reverse_sql (migrations.RunSQL.noop)",
            by_size=False,
            vendors=ANY_VENDOR,
        ),
        Rule(
            "data-with-schema",
            "the schema change's locks, held until the data migration commits",
            "changes data in the same transaction as a schema change, so the schema "
            "change's locks are held for as long as the data takes",
            "move the RunPython/RunSQL into a migration of its own (atomic = False, "
            "committing per batch)",
            vendors=frozenset({"postgresql", "sqlite"}),  # transactional DDL
        ),
    ]
}
