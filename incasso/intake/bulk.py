"""Moved to :mod:`incasso.core.bulk_insert`; these names stay importable from here until every caller switched.

There is one implementation: this module only re-exports it.
"""

from incasso.core.bulk_insert import AnyOf, array_literal, rows_insert

__all__ = ["AnyOf", "array_literal", "rows_insert"]
