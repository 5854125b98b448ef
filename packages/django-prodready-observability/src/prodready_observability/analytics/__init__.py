"""Request counts per minute for the operations dashboard, kept in a shared cache."""
