"""What a readiness rule found.

Defined in :mod:`prodready.contracts` with the other types of hook results.
"""

from prodready.contracts import CATEGORIES as CATEGORIES
from prodready.contracts import WEIGHTS as WEIGHTS
from prodready.contracts import Category as Category
from prodready.contracts import Finding as Finding
from prodready.contracts import InvalidFinding as InvalidFinding
