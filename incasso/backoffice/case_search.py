"""What the back office's case search understands besides a case number: the debtor's full name, e-mail address,
postcode or IBAN, each found through the debtors' blind indexes (exact match after normalising: case, spaces and,
for names, accents do not matter). Personal data is encrypted, so "contains" cannot be searched; an exact value
can - and that is what a collector has on the phone with a debtor."""

from __future__ import annotations

from django.db.models import Q

from incasso.parties.selectors import blind_index_filled, debtor_index_entry

# At most this many words are tried as a name: every split into given names and surname is one index entry.
NAME_WORDS = 8


def debtor_search(query: str) -> Q:
    """Cases whose debtor has ``query`` as name, e-mail, postcode or IBAN; ``Q(pk__in=[])`` when it can be none."""
    wanted: dict[str, set[str]] = {
        "name_index": _name_entries(query),
        "email_index": {debtor_index_entry("email_index", query)} if "@" in query else set(),
        "postcode_index": {debtor_index_entry("postcode_index", query)},
        "iban_index": {debtor_index_entry("iban_index", query)},
    }
    found = Q(pk__in=[])
    for column, entries in wanted.items():
        entries.discard("")  # an empty value finds nothing (the index leaves empty entries out)
        if entries:  # the partial index's predicate stated, as every blind-index lookup does
            found |= Q(**{f"debtor__{column}__in": sorted(entries)}) & blind_index_filled(f"debtor__{column}")
    return found


def _name_entries(query: str) -> set[str]:
    """ "Kaylee van der Stael" or "van der Stael, Kaylee": each split into given names and a surname."""
    if "," in query:
        surname, given_names = (part.strip() for part in query.split(",", 1))
        return {debtor_index_entry("name_index", surname, given_names)}
    words = query.split()
    if not 0 < len(words) <= NAME_WORDS:
        return set()
    return {
        debtor_index_entry("name_index", " ".join(words[split:]), " ".join(words[:split]))
        for split in range(len(words))
    }
