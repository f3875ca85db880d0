"""Made-up Dutch people, companies, addresses and bank accounts for the demo data.

Every value comes from the ``random.Random`` and the ``Faker`` passed in, never from global state, so a seed
always gives the same people. E-mail addresses use the domains reserved for examples (RFC 2606), so no real
mailbox can ever receive a demo letter.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from dataclasses import dataclass

from faker import Faker
from schwifty import IBAN
from stdnum.nl import postcode as nl_postcode

# Dutch banks by rough share of private accounts; the codes are the real ones, so IBAN(...).bank resolves.
BANK_CODES: dict[str, int] = {
    "INGB": 30,
    "RABO": 25,
    "ABNA": 20,
    "SNSB": 7,
    "ASNB": 4,
    "TRIO": 3,
    "KNAB": 5,
    "BUNQ": 6,
}
SECTORS = (
    "Bouw",
    "Installatietechniek",
    "Horeca",
    "Transport",
    "Schilderwerken",
    "Bloemen",
    "Techniek",
    "Handelsonderneming",
    "Catering",
    "Interieur",
    "Automaterialen",
    "Dakwerken",
)
HOUSE_NUMBER_SUFFIXES = ("A", "B", "C", "-1", "-2", "bis")


@dataclass(frozen=True)
class Address:
    street: str
    house_number: str
    postcode: str
    city: str


def dutch_iban(rng: random.Random) -> str:
    """A valid Dutch IBAN at a real bank whose account number also passes the old Dutch eleven-test."""
    bank_code = rng.choices(list(BANK_CODES), weights=list(BANK_CODES.values()))[0]
    return str(IBAN.generate("NL", bank_code=bank_code, account_code=_eleven_test_account(rng)))


def _eleven_test_account(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        # Weights 10..2 for the first nine digits; the tenth (weight 1) makes the sum divisible by 11.
        check = -sum(digit * (10 - index) for index, digit in enumerate(digits)) % 11
        if check < 10:
            return "".join(map(str, [*digits, check]))


def dutch_postcode(fake: Faker) -> str:
    """A postcode in the "1234 AB" form that passes the PostNL rules (no SA, SD or SS letter pairs)."""
    while True:
        compact = nl_postcode.compact(fake.postcode())
        if nl_postcode.is_valid(compact):
            return f"{compact[:4]} {compact[4:]}"


def dutch_address(fake: Faker, rng: random.Random) -> Address:
    number = str(rng.randint(1, 250))
    if rng.random() < 0.1:
        number += rng.choice(HOUSE_NUMBER_SUFFIXES)
    return Address(street=fake.street_name(), house_number=number, postcode=dutch_postcode(fake), city=fake.city())


def mobile_number(rng: random.Random) -> str:
    return f"+316{rng.randint(10_000_000, 99_999_999)}"


def landline_number(rng: random.Random) -> str:
    area = rng.choice(("10", "20", "30", "40", "50", "70", "73", "76"))
    return f"+31{area}{rng.randint(1_000_000, 9_999_999)}"


def kvk_number(rng: random.Random) -> str:
    return f"{rng.randint(10_000_000, 99_999_999)}"


def date_of_birth(rng: random.Random, *, on: datetime.date) -> datetime.date:
    """A date of birth of an adult between 18 and 85 years old on ``on``."""
    return on - datetime.timedelta(days=rng.randint(18 * 366, 85 * 365))


def person_email(rng: random.Random, *, given_names: str, surname: str) -> str:
    local = f"{_slug(given_names)}.{_slug(surname)}"
    if rng.random() < 0.4:
        local += str(rng.randint(1, 99))
    return f"{local}@{rng.choice(('example.com', 'example.net', 'example.org'))}"


def company_name(rng: random.Random, *, surname: str) -> str:
    return f"{surname[:1].upper()}{surname[1:]} {rng.choice(SECTORS)}"


def company_email(*, organisation_name: str) -> str:
    return f"administratie@{_slug(organisation_name)}.example"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(char for char in ascii_text.lower() if char.isalnum())
