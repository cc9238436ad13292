"""Tests of the OneBot adapter."""
