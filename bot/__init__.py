"""qunguan: the platform-neutral core of the moderation bot."""

__version__ = "0.1.0"
