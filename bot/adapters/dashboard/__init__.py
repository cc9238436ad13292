"""The owner's web dashboard: server-rendered pages over the Desk port, behind one-time links."""

from .server import Dashboard
from .session import Sessions

__all__ = ["Dashboard", "Sessions"]
