"""Incasso: the platform a debt-collection agency runs its business on."""
