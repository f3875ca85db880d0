"""Encrypted backups of the whole database, and restores that keep erasures erased (docs/adr/0008).

Public API (``services``): ``backup_create(out=...)``, ``backup_restore(path=..., live_database=...,
audit_export=...)``, ``backup_key_generate()``; ``incasso backup create|restore|key``.
"""
