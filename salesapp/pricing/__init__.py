"""Pricing (SPEC §3) as a package of its own: Decimal in, frozen dataclasses out.

It imports nothing from Django, so the rules can be read, tested and type-checked alone; an
import-linter contract keeps it so.
"""

from .rules import *  # noqa: F403
from .rules import __all__  # noqa: F401
