"""Time zones as people name them: an IANA name, or a city or a country in any
enabled language, resolved to the IANA name that Konsey stores.

Cities are CLDR's exemplar cities (through Babel) in every enabled language and
English, plus ``CAPITALS``: capitals that CLDR has no exemplar city for. The
suggestions a time-zone field offers read "City, Country (UTC+05:00)" in the
reader's language, with the zone's offset now; such a label resolves too.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel.core import get_global
from babel.dates import get_timezone_location

from konsey.place_names import cldr_locale

# Capitals CLDR lacks, in en, tr, ru, az, kk, ky, uz (the zone keeps its CLDR
# city as well). Astana is in Asia/Almaty: Kazakhstan has kept one zone,
# UTC+05:00, since 1 March 2024 (tzdata 2024b).
CAPITALS: dict[str, dict[str, str]] = {
    "Asia/Almaty": dict.fromkeys(("en", "tr", "az", "uz"), "Astana")
    | dict.fromkeys(("ru", "kk", "ky"), "Астана"),
    "Europe/Istanbul": dict.fromkeys(("en", "tr", "az", "uz"), "Ankara")
    | dict.fromkeys(("ru", "kk", "ky"), "Анкара"),
}
# Former names people still type.
FORMER_NAMES: dict[str, tuple[str, ...]] = {
    "Asia/Almaty": ("Nur-Sultan", "Nursultan", "Нур-Султан", "Нұр-Сұлтан", "Akmola", "Ақмола"),
    "Asia/Bishkek": ("Frunze", "Фрунзе"),
}
INDEX_LANGUAGES = ("en", "tr", "ru", "az", "kk", "ky", "uz")
MAX_LENGTH = 100
_OFFSET_SUFFIX = re.compile(r"\s*\(\s*(?:utc|gmt)[^)]*\)\s*$", re.IGNORECASE)
_APOSTROPHES = str.maketrans("", "", "ʻʼ‘’'`´")


def normalised(text: str) -> str:
    """``text`` for comparison: case, diacritics, apostrophes and hyphens aside."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("ı", "i"))
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_APOSTROPHES)
    return " ".join(text.replace("-", " ").replace("_", " ").split())


@lru_cache(maxsize=1)
def iana_names() -> dict[str, str]:
    """Every zone the installed tzdata knows, by its case-folded name."""
    return {name.casefold(): name for name in available_timezones()}


@lru_cache(maxsize=1)
def offered_zones() -> tuple[str, ...]:
    """Zones worth suggesting: CLDR's canonical zones of a country, and UTC."""
    known = iana_names().values()
    territories = get_global("zone_territories")
    zones = [z for z, where in territories.items() if where != "001" and z in known]
    return ("UTC", *sorted(zones))


def territory_of(zone: str) -> str | None:
    return get_global("zone_territories").get(zone)


def city(zone: str, language: str) -> str:
    if zone == "UTC":
        return "UTC"
    return get_timezone_location(zone, language, return_city=True)


def country(zone: str, language: str) -> str | None:
    cldr = cldr_locale(language)
    code = territory_of(zone)
    return cldr.territories.get(code) if cldr is not None and code else None


@lru_cache(maxsize=8)
def _index(languages: tuple[str, ...]) -> tuple[dict, dict]:
    """(cities, countries): normalised name → zones, in ``languages``."""
    cities: dict[str, set[str]] = defaultdict(set)
    countries: dict[str, set[str]] = defaultdict(set)
    zones = offered_zones()
    for language in languages:
        if cldr_locale(language) is None:
            continue
        for zone in zones:
            cities[normalised(city(zone, language))].add(zone)
            name = country(zone, language)
            if name:
                countries[normalised(name)].add(zone)
    for zone, names in CAPITALS.items():
        for name in names.values():
            cities[normalised(name)].add(zone)
    for zone, names in FORMER_NAMES.items():
        for name in names:
            cities[normalised(name)].add(zone)
    return dict(cities), dict(countries)


def index_languages(enabled) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*INDEX_LANGUAGES[:1], *enabled]))


def candidates(value: str, enabled) -> list[str]:
    """The zones ``value`` may mean (one: resolved; none: unknown; more: ambiguous)."""
    value = value.strip()
    exact = iana_names().get(value.casefold())
    if exact:
        return [exact]
    cities, countries = _index(index_languages(enabled))
    text = normalised(_OFFSET_SUFFIX.sub("", value))
    found = cities.get(text) or countries.get(text)
    if not found and "," in text:
        # "City, Country" (a suggestion): the city, within that country.
        place, _, land = (part.strip() for part in text.rpartition(","))
        found = {z for z in cities.get(place, ()) if z in countries.get(land, {z})}
    return sorted(found or ())


def offset_text(zone: str, now: datetime | None = None) -> str:
    offset = (now or datetime.now(UTC)).astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


@lru_cache(maxsize=16)
def _places(language: str) -> tuple[tuple[str, str], ...]:
    """(zone, "City, Country") for every offered zone and capital, in ``language``."""
    rows = []
    for zone in offered_zones():
        names = [city(zone, language)]
        extra = CAPITALS.get(zone, {}).get(language)
        if extra:
            names.append(extra)
        land = country(zone, language)
        rows += [(zone, f"{name}, {land}" if land else name) for name in names]
    return tuple(rows)


@lru_cache(maxsize=64)
def _suggestions(language: str, quarter_hour: int) -> tuple[str, ...]:
    from konsey.collation import sort_key

    now = datetime.fromtimestamp(quarter_hour * 900, UTC)
    offsets: dict[str, str] = {}
    labels = []
    for zone, place in _places(language):
        if zone not in offsets:
            offsets[zone] = offset_text(zone, now)
        labels.append(place if zone == "UTC" else f"{place} ({offsets[zone]})")
    return tuple(sorted(labels, key=lambda label: sort_key(label, language)))


def suggestions(language: str) -> tuple[str, ...]:
    """Labels for a datalist, with offsets as of this quarter of an hour."""
    if cldr_locale(language) is None:
        language = "en"
    return _suggestions(language, int(datetime.now(UTC).timestamp() // 900))


def label(zone: str, language: str) -> str:
    """One zone as the suggestions name it (by its CLDR city)."""
    for candidate, place in _places(language if cldr_locale(language) else "en"):
        if candidate == zone:
            return place if zone == "UTC" else f"{place} ({offset_text(zone)})"
    return zone
