"""Country names and adjectives for ISO 3166 alpha-2 codes, as the article writes them."""

from __future__ import annotations

# code: (short name used in prose, adjective)
_COUNTRIES: dict[str, tuple[str, str]] = {
    "US": ("the US", "US"),
    "CN": ("China", "Chinese"),
    "FR": ("France", "French"),
    "DE": ("Germany", "German"),
    "GB": ("the UK", "British"),
    "CA": ("Canada", "Canadian"),
    "IL": ("Israel", "Israeli"),
    "KR": ("South Korea", "South Korean"),
    "JP": ("Japan", "Japanese"),
    "IN": ("India", "Indian"),
    "AE": ("the UAE", "Emirati"),
    "SG": ("Singapore", "Singaporean"),
    "CH": ("Switzerland", "Swiss"),
    "NL": ("the Netherlands", "Dutch"),
    "SE": ("Sweden", "Swedish"),
    "FI": ("Finland", "Finnish"),
    "TW": ("Taiwan", "Taiwanese"),
    "HK": ("Hong Kong", "Hong Kong"),
    "RU": ("Russia", "Russian"),
    "BR": ("Brazil", "Brazilian"),
    "AU": ("Australia", "Australian"),
    "ES": ("Spain", "Spanish"),
    "IT": ("Italy", "Italian"),
    "SA": ("Saudi Arabia", "Saudi"),
}


def country_name(code: str) -> str:
    """Return the name used in prose ("China", "the US"), or the code when unknown."""
    return _COUNTRIES.get(code, (code, code))[0]


def country_adjective(code: str) -> str:
    """Return the adjective ("Chinese", "US"), or the code when unknown."""
    return _COUNTRIES.get(code, (code, code))[1]
