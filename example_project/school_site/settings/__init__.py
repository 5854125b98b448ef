"""Settings: ``base`` is shared, ``dev`` is the embedded default, ``production`` is strict."""
