"""Maison Demo's catalogue and customers: what the demo orders are made of."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from random import Random

SIZES = ("XS", "S", "M", "L", "XL")
SIZE_WEIGHTS = (8, 24, 34, 22, 12)
VAT_PERCENT = 20

_SUMMER_MONTHS = frozenset({5, 6, 7, 8})
_WINTER_MONTHS = frozenset({10, 11, 12, 1, 2})


@dataclass(frozen=True)
class ProductSpec:
    """One product: its SKU stem, shelf price (VAT included, cents) and colours."""

    code: str
    title: str
    collection: str
    tags: tuple[str, ...]
    shelf_price: int
    colours: tuple[str, ...]
    popularity: int
    season: str = "all"
    is_final_sale: bool = False

    @property
    def handle(self) -> str:
        return self.code.lower()

    @property
    def net_price(self) -> int:
        """The unit price before VAT, rounded half up to the cent."""
        return (self.shelf_price * 100 + (100 + VAT_PERCENT) // 2) // (100 + VAT_PERCENT)

    def sku(self, size: str, colour: str) -> str:
        return f"{self.code}-{size}-{colour}"

    def variant_title(self, size: str, colour: str) -> str:
        return f"{self.title} - {colour.title()} / {size}"

    def weight_in(self, month: int) -> float:
        """How often it sells in `month`: seasonal pieces sell mostly in their season."""
        if self.season == "summer":
            factor = 2.0 if month in _SUMMER_MONTHS else 0.4
        elif self.season == "winter":
            factor = 2.2 if month in _WINTER_MONTHS else 0.3
        else:
            factor = 1.0
        return self.popularity * factor


PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec("LINEN-SHIRT", "Linen shirt", "Shirts", ("linen", "summer"), 6900,
                ("WHITE", "SAND", "SKY", "OLIVE"), 9, season="summer"),
    ProductSpec("OXFORD-SHIRT", "Oxford shirt", "Shirts", ("cotton", "essentials"), 5900,
                ("WHITE", "BLUE", "PINK", "STRIPE"), 10),
    ProductSpec("MERINO-CREW", "Merino crewneck", "Knitwear", ("merino", "wool"), 8900,
                ("NAVY", "GREY", "CAMEL", "BLACK", "BURGUNDY"), 9, season="winter"),
    ProductSpec("CABLE-CARDIGAN", "Cable-knit cardigan", "Knitwear", ("wool", "cosy"), 11900,
                ("ECRU", "CHARCOAL", "FOREST", "NAVY"), 5, season="winter"),
    ProductSpec("COTTON-TEE", "Organic cotton tee", "Tops", ("organic", "essentials"), 2900,
                ("WHITE", "BLACK", "GREY", "NAVY", "TERRACOTTA", "SAGE"), 16),
    ProductSpec("BRETON-TOP", "Breton top", "Archive sale", ("stripes", "final-sale"), 3900,
                ("NAVY", "RED", "ECRU"), 4, is_final_sale=True),
    ProductSpec("STRAIGHT-JEANS", "Straight jeans", "Denim", ("denim", "essentials"), 9500,
                ("INDIGO", "BLACK", "STONE"), 11),
    ProductSpec("CHINO", "Slim chino", "Trousers", ("cotton", "smart"), 7900,
                ("BEIGE", "NAVY", "OLIVE", "BLACK"), 8),
    ProductSpec("WRAP-DRESS", "Wrap dress", "Dresses", ("viscose", "occasion"), 11000,
                ("BLACK", "FLORAL", "EMERALD", "RUST"), 7),
    ProductSpec("WOOL-COAT", "Wool coat", "Outerwear", ("wool", "premium"), 24900,
                ("CAMEL", "BLACK", "GREY", "NAVY"), 4, season="winter"),
    ProductSpec("QUILTED-JACKET", "Quilted jacket", "Outerwear", ("lightweight",), 15900,
                ("NAVY", "OLIVE", "BLACK"), 5, season="winter"),
    ProductSpec("HOODIE", "Loopback hoodie", "Tops", ("cotton", "lounge"), 6900,
                ("GREY", "NAVY", "BLACK", "CREAM"), 10),
)  # fmt: skip

_FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Zoé", "Alice", "Lina",
    "Emma", "Sarah", "Juliette", "Clara", "Anaïs", "Margaux", "Élodie", "Pauline", "Sofia",
    "Hugo", "Lucas", "Louis", "Gabriel", "Arthur", "Jules", "Nathan", "Théo", "Raphaël",
    "Maxime", "Antoine", "Thomas", "Adrien", "Karim", "Yanis", "Noah", "Paul", "Victor",
    "Mehdi", "Lars", "Anna",
)  # fmt: skip
_LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Benali", "Nguyen", "Peeters", "Janssens",
    "Müller", "Schmidt", "Rossi", "Fontaine", "Chevalier", "Rousseau",
)  # fmt: skip
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
#: (postal code, country, weight): mostly France, some Belgium, Luxembourg and Germany.
_PLACES = (
    ("75011", "FR", 8), ("75015", "FR", 6), ("75018", "FR", 5), ("69003", "FR", 5),
    ("13006", "FR", 4), ("33000", "FR", 4), ("59000", "FR", 3), ("44000", "FR", 3),
    ("31000", "FR", 3), ("67000", "FR", 3), ("35000", "FR", 2), ("06000", "FR", 2),
    ("1000", "BE", 3), ("2000", "BE", 2), ("1616", "LU", 1), ("10115", "DE", 2),
)  # fmt: skip
#: The city of each postal code above, and a street there.
_STREETS = {
    "75011": ("Paris", "rue Oberkampf"), "75015": ("Paris", "rue de Vaugirard"),
    "75018": ("Paris", "rue Caulaincourt"), "69003": ("Lyon", "cours Gambetta"),
    "13006": ("Marseille", "rue de Rome"), "33000": ("Bordeaux", "cours de l'Intendance"),
    "59000": ("Lille", "rue Nationale"), "44000": ("Nantes", "rue de la Marne"),
    "31000": ("Toulouse", "rue d'Alsace-Lorraine"), "67000": ("Strasbourg", "Grand'Rue"),
    "35000": ("Rennes", "rue Saint-Malo"), "06000": ("Nice", "avenue Jean Médecin"),
    "1000": ("Bruxelles", "rue Neuve"), "2000": ("Antwerpen", "Meir"),
    "1616": ("Luxembourg", "avenue de la Gare"), "10115": ("Berlin", "Chausseestraße"),
}  # fmt: skip
#: The language shoppers in each country get their e-mails in.
_LANGUAGE = {"FR": "fr", "BE": "fr", "LU": "fr", "DE": "de"}


@dataclass(frozen=True)
class CustomerSpec:
    """A shopper, and how often (relative weight) they come back to buy."""

    email: str
    name: str
    postal_code: str
    country: str
    loyalty: float

    @property
    def city(self) -> str:
        return _STREETS[self.postal_code][0]

    @property
    def street(self) -> str:
        """A house number from the name (no random draw: the demo's story stays the same)."""
        number = sum(map(ord, self.name)) % 120 + 1
        street = _STREETS[self.postal_code][1]
        return f"{street} {number}" if self.country == "DE" else f"{number} {street}"

    @property
    def locale(self) -> str:
        return _LANGUAGE.get(self.country, "en")


def demo_customers(rng: Random, count: int = 150) -> list[CustomerSpec]:
    """`count` distinct shoppers; a few loyal ones place many of the orders."""
    pairs = rng.sample([(f, s) for f in _FIRST_NAMES for s in _LAST_NAMES], count)
    customers = []
    for first, last in pairs:
        postal_code, country, _ = rng.choices(_PLACES, weights=[p[2] for p in _PLACES])[0]
        customers.append(
            CustomerSpec(
                email=f"{_ascii(first)}.{_ascii(last)}@{rng.choice(_EMAIL_DOMAINS)}",
                name=f"{first} {last}",
                postal_code=postal_code,
                country=country,
                loyalty=min(rng.paretovariate(1.5), 6.0),
            )
        )
    return customers


def _ascii(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()
