"""Moderation: sanctions, /spam and reports, the log, undo, appeals, shadow mode, exemptions."""
