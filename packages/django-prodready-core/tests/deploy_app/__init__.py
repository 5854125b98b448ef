"""An app whose migrations the migrate tests apply and roll back (not installed by default)."""
