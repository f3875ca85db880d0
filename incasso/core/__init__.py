"""Shared infrastructure that belongs to no bounded context: set-based database helpers."""
