"""Which employer of the LCA files may be which catalogue institution: suggestions only.

An employer and an institution are suggested to each other when their names normalise
alike (`normalise_name`) and their states are the same (`normalise_state`). A suggestion
is never a link: a curator confirms or rejects it (EmployerLink), and a rejected pair is
not suggested again.
"""

import re
import unicodedata

# Words that tell nothing about which organisation it is (legal forms, articles).
NOISE_WORDS = frozenset([
    "the", "inc", "incorporated", "llc", "lc", "llp", "lp", "ltd", "limited", "corp",
    "corporation", "co", "company", "pc", "pllc", "pa", "dba",
])  # fmt: skip

# USPS codes of the states, DC and the territories, by name: LCA files write codes, a
# curator may write either in the catalogue.
STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL",
    "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
    "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ",
    "new mexico": "NM", "new york": "NY", "north carolina": "NC", "north dakota": "ND",
    "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN",
    "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR",
    "guam": "GU", "virgin islands": "VI", "american samoa": "AS",
    "northern mariana islands": "MP",
}  # fmt: skip


def normalise_name(name: str) -> str:
    """ "The Mount Sinai Hospital, Inc." -> "mount sinai hospital": accents and case folded,
    "&" read as "and", dots and apostrophes dropped, other punctuation a space, legal forms
    and articles dropped."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[.'’]", "", text)  # "P.C." is "pc", "Women's" is "womens"
    text = re.sub(r"[^\w\s]", " ", text).replace("_", " ")
    words = [word for word in text.split() if word not in NOISE_WORDS]
    return " ".join(words)


def normalise_state(state: str) -> str:
    """A state as its USPS code when it is a known name ("New York" -> "NY"), else the text
    upper-cased ("ny" -> "NY")."""
    text = " ".join((state or "").replace(".", " ").split())
    return STATES.get(text.casefold(), text.upper())


def institution_key(institution) -> tuple[str, str]:
    return normalise_name(institution.name), normalise_state(institution.state)


def suggestions(employers) -> dict[int, list]:
    """{employer id: [institutions with the same normalised name and state]} for these
    employers, leaving out pairs a curator already decided (2 queries)."""
    from catalogue.models import Institution

    from .models import EmployerLink

    employers = list(employers)
    wanted = {(e.normalised_name, e.state) for e in employers}
    by_key: dict[tuple[str, str], list] = {}
    for institution in Institution.objects.only("name", "state", "city"):
        key = institution_key(institution)
        if key in wanted:
            by_key.setdefault(key, []).append(institution)
    decided = set(
        EmployerLink.objects.filter(employer__in=[e.pk for e in employers]).values_list(
            "employer_id", "institution_id"
        )
    )
    return {
        e.pk: [
            i for i in by_key.get((e.normalised_name, e.state), []) if (e.pk, i.pk) not in decided
        ]
        for e in employers
    }
