"""Company names for the demo customers, in the style of each country.

A name is a stem and a line of business put together the local way, with the local
legal form, so a Polish customer reads "Bursztyn Logistyka sp. z o.o." and a
Vietnamese one "Công ty TNHH Thương mại Hoa Sen". Names may repeat, as real ones do.
"""

from __future__ import annotations

import numpy as np

_EN_STEMS = (
    "Bright",
    "Harbor",
    "Summit",
    "Maple",
    "Northgate",
    "Bluebird",
    "Ironwood",
    "Redstone",
    "Silverline",
    "Oakridge",
    "Clearwater",
    "Lighthouse",
)
_EN_TRADES = (
    "Analytics",
    "Logistics",
    "Studio",
    "Labs",
    "Consulting",
    "Retail",
    "Health",
    "Media",
    "Systems",
    "Foods",
)

# country code -> (pattern, stems, trades); the pattern joins one of each.
_STYLES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "PL": (
        "{stem} {trade} sp. z o.o.",
        (
            "Wisła",
            "Bursztyn",
            "Sokół",
            "Tatry",
            "Zorza",
            "Mazur",
            "Kłos",
            "Orlik",
            "Dąb",
            "Źródło",
            "Żuraw",
        ),
        ("Logistyka", "Software", "Studio", "Handel", "Doradztwo", "Media", "Finanse"),
    ),
    "DK": (
        "{stem} {trade} ApS",
        (
            "Nordlys",
            "Havbrise",
            "Bøgely",
            "Fjordvang",
            "Kløver",
            "Skovbo",
            "Lærkehøj",
            "Strandgaard",
            "Ravnsborg",
        ),
        ("Data", "Logistik", "Rådgivning", "Design", "Handel", "Byg", "Medier"),
    ),
    "LT": (
        "UAB „{stem} {trade}“",
        # Genitive stems: "Vėjo technologijos" is "the wind's technologies".
        (
            "Gintaro",
            "Vėjo",
            "Ąžuolo",
            "Baltijos",
            "Nemuno",
            "Rasos",
            "Aušros",
            "Girios",
            "Šiaurės",
            "Saulės",
        ),
        (
            "sprendimai",
            "logistika",
            "prekyba",
            "konsultacijos",
            "technologijos",
            "duomenys",
        ),
    ),
    "SI": (
        "{stem} {trade} d.o.o.",
        (
            "Triglav",
            "Lipa",
            "Soča",
            "Kras",
            "Planika",
            "Zvezda",
            "Pohorje",
            "Čebela",
            "Žerjav",
        ),
        ("informatika", "logistika", "trgovina", "svetovanje", "mediji", "gradnje"),
    ),
    "VN": (
        "Công ty TNHH {trade} {stem}",
        (
            "Sao Mai",
            "Hoa Sen",
            "Phú Thịnh",
            "Minh Long",
            "Thành Đạt",
            "An Phát",
            "Hưng Thịnh",
            "Việt Tiến",
            "Đông Á",
            "Bình Minh",
        ),
        (
            "Công nghệ",
            "Thương mại",
            "Dịch vụ",
            "Truyền thông",
            "Xây dựng",
            "Giải pháp",
        ),
    ),
    "GB": ("{stem} {trade} Ltd", _EN_STEMS, _EN_TRADES),
    "IE": ("{stem} {trade} Ltd", _EN_STEMS, _EN_TRADES),
    "US": ("{stem} {trade} Inc.", _EN_STEMS, _EN_TRADES),
    "DE": ("{stem} {trade} GmbH", _EN_STEMS, _EN_TRADES),
    "NL": ("{stem} {trade} B.V.", _EN_STEMS, _EN_TRADES),
}


def company_names(
    country_codes: list[str], country: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A name for each customer; ``country`` indexes ``country_codes``."""
    u_stem = rng.random(len(country))
    u_trade = rng.random(len(country))
    names = np.empty(len(country), dtype=object)
    for c, code in enumerate(country_codes):
        rows = np.flatnonzero(country == c)
        pattern, stems, trades = _STYLES[code]
        # Every combination is formatted once; customers pick from the table.
        table = np.array(
            [pattern.format(stem=s, trade=t) for s in stems for t in trades],
            dtype=object,
        )
        pick = (u_stem[rows] * len(stems)).astype(np.int64) * len(trades) + (
            u_trade[rows] * len(trades)
        ).astype(np.int64)
        names[rows] = table[pick]
    return names
