"""Adapters: platform traffic to neutral events, neutral actions to platform calls."""
