"""Thin use-cases: chat events and slash commands, wired by the composition root."""
