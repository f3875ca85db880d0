"""One set of parser options for every XML that comes from outside (e-invoices, bank statements).

No entity resolution, no DTD, no network, no huge trees: external entities (XXE) and entity expansion ("billion
laughs") are refused by the parser itself, whichever door the file came in through.
"""

from __future__ import annotations

from typing import Final, TypedDict


class SafeParseOptions(TypedDict):
    resolve_entities: bool
    no_network: bool
    load_dtd: bool
    huge_tree: bool
    remove_comments: bool
    remove_pis: bool


SAFE_PARSE_OPTIONS: Final[SafeParseOptions] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
