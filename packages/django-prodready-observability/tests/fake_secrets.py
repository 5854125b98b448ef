"""Made-up credentials for tests."""


def fake(*parts: str) -> str:
    """A made-up credential, joined at run time so that secret scanners leave the file be."""
    return "".join(parts)
