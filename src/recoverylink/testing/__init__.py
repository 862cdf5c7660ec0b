"""Helpers for tests of the project and of code built on it."""
