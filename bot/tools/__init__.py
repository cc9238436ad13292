"""Offline tools: evaluation on labelled lines, replay of chat exports and its report."""
