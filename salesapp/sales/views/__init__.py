from .documents import VIEWS
from .kinds import KINDS

__all__ = ["KINDS", "VIEWS"]
