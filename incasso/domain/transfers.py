"""Transfers of personal data outside the EEA (GDPR chapter V; SPEC P-8): the rule, as plain values.

A disclosure to a recipient in an EEA country is no transfer. Outside the EEA it is allowed only to a country with
an adequacy decision of the European Commission (art. 45), or when appropriate safeguards are on file for that
recipient (art. 46: standard contractual clauses, binding corporate rules, ...). Two decisions cover part of a
country only (Canada: organisations under PIPEDA; the United States: organisations certified under the EU-U.S. Data
Privacy Framework); for those the recipient's certification is a safeguard the caller must have on file. The
derogations of art. 49 (explicit consent, legal claims case by case) are decided by a person, not by this code.

The lists are data with their sources. Review them when the Commission adopts, amends or withdraws a decision:
https://commission.europa.eu/law/law-topic/data-protection/international-dimension-data-protection/adequacy-decisions_en
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

ADEQUACY_SOURCE = (
    "https://commission.europa.eu/law/law-topic/data-protection/international-dimension-data-protection/"
    "adequacy-decisions_en"
)

# EU member states (ISO 3166-1 alpha-2; Greece is GR, not the EU's EL) and the EEA's Iceland, Liechtenstein, Norway.
EU_MEMBER_STATES: frozenset[str] = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    }
)
EEA_COUNTRIES: frozenset[str] = EU_MEMBER_STATES | frozenset({"IS", "LI", "NO"})


class Safeguard(StrEnum):
    """What can be on file for one recipient to allow a transfer (art. 46), or to meet a partial decision."""

    SCC = "scc"  # standard contractual clauses adopted by the Commission, art. 46(2)(c) (Decision (EU) 2021/914)
    BCR = "bcr"  # binding corporate rules approved by a supervisory authority, art. 46(2)(b) and 47
    AD_HOC_CLAUSES = "ad_hoc_clauses"  # contractual clauses authorised by a supervisory authority, art. 46(3)(a)
    CODE_OF_CONDUCT = "code_of_conduct"  # an approved code with binding commitments, art. 46(2)(e)
    CERTIFICATION = "certification"  # an approved certification mechanism, art. 46(2)(f)
    DPF_CERTIFIED = "dpf_certified"  # on the EU-U.S. Data Privacy Framework list (meets the partial US decision)
    PIPEDA_SUBJECT = "pipeda_subject"  # a Canadian organisation subject to PIPEDA (meets the partial CA decision)


ART_46_SAFEGUARDS: frozenset[Safeguard] = frozenset(
    {Safeguard.SCC, Safeguard.BCR, Safeguard.AD_HOC_CLAUSES, Safeguard.CODE_OF_CONDUCT, Safeguard.CERTIFICATION}
)


@dataclass(frozen=True, slots=True)
class AdequacyDecision:
    """A Commission adequacy decision (art. 45). ``requires`` is set when it covers only part of the country."""

    country: str
    decision: str
    requires: Safeguard | None = None
    note: str = ""


ADEQUACY_DECISIONS: MappingProxyType[str, AdequacyDecision] = MappingProxyType(
    {
        decision.country: decision
        for decision in (
            AdequacyDecision("AD", "Commission Decision 2010/625/EU"),
            AdequacyDecision("AR", "Commission Decision 2003/490/EC"),
            AdequacyDecision(
                "CA", "Commission Decision 2002/2/EC", Safeguard.PIPEDA_SUBJECT, "commercial organisations under PIPEDA"
            ),
            AdequacyDecision("CH", "Commission Decision 2000/518/EC"),
            AdequacyDecision("FO", "Commission Decision 2010/146/EU"),
            AdequacyDecision("GB", "Commission Implementing Decision (EU) 2021/1772", note="has a sunset clause"),
            AdequacyDecision("GG", "Commission Decision 2003/821/EC"),
            AdequacyDecision("IL", "Commission Decision 2011/61/EU"),
            AdequacyDecision("IM", "Commission Decision 2004/411/EC"),
            AdequacyDecision("JE", "Commission Decision 2008/393/EC"),
            AdequacyDecision("JP", "Commission Implementing Decision (EU) 2019/419", note="private sector"),
            AdequacyDecision("KR", "Commission Implementing Decision (EU) 2022/254"),
            AdequacyDecision("NZ", "Commission Decision 2013/65/EU"),
            AdequacyDecision("UY", "Commission Implementing Decision 2012/484/EU"),
            AdequacyDecision(
                "US",
                "Commission Implementing Decision (EU) 2023/1795",
                Safeguard.DPF_CERTIFIED,
                "organisations certified under the EU-U.S. Data Privacy Framework",
            ),
        )
    }
)


class TransferBasis(StrEnum):
    EEA = "eea"  # no transfer in the sense of chapter V
    ADEQUACY = "adequacy"  # art. 45
    SAFEGUARDS = "safeguards"  # art. 46
    NONE = "none"  # refused


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    basis: TransferBasis
    reason: str


def country_code(country: str) -> str:
    """``country`` as an upper-case ISO 3166-1 alpha-2 code; ``ValueError`` when it is not two letters."""
    code = country.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise ValueError(f"not an ISO 3166-1 alpha-2 country code: {country!r}")
    return code


def transfer_allowed(country: str, safeguards: Iterable[Safeguard | str] = ()) -> Verdict:
    """May personal data go to a recipient in ``country`` with these ``safeguards`` on file? With the reason."""
    code = country_code(country)
    if code in EEA_COUNTRIES:
        return Verdict(True, TransferBasis.EEA, f"{code} is in the EEA")
    on_file = {Safeguard(s) for s in safeguards}
    decision = ADEQUACY_DECISIONS.get(code)
    if decision is not None and (decision.requires is None or decision.requires in on_file):
        scope = f" ({decision.note})" if decision.note else ""
        return Verdict(True, TransferBasis.ADEQUACY, f"{code}: adequacy decision, {decision.decision}{scope}")
    art_46 = sorted(on_file & ART_46_SAFEGUARDS)
    if art_46:
        return Verdict(True, TransferBasis.SAFEGUARDS, f"{code}: safeguards on file ({', '.join(art_46)})")
    if decision is not None:
        return Verdict(
            False,
            TransferBasis.NONE,
            f"{code}: the adequacy decision covers only {decision.note}; this recipient is not on file as one, and "
            "no standard contractual clauses or other safeguards are on file for it either",
        )
    return Verdict(
        False,
        TransferBasis.NONE,
        f"{code} is outside the EEA without an adequacy decision, and no standard contractual clauses or other "
        "safeguards are on file for this recipient",
    )
