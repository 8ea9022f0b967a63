"""A generated address book with known duplicates: each person once, some again as a re-entered variant.

The variants are the ways duplicates arise: a re-import with the name written "Last, First"; a card from a
phone with an initial; a typo in the first name at the same company; the same person with another email.
The distractors are what must not match: namesakes with another first name, colleagues at one company, a
shared office number.
"""

import random
from dataclasses import dataclass

from api.duplicates.matching import Candidate

FIRST = [
    "Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Margaret", "Dennis", "Frances", "John", "Radia",
    "Tim", "Katherine", "Ken", "Hedy", "Linus", "Sophie", "Guido", "Anita", "Niklaus", "Shafi", "Leslie",
    "Annie", "Bjarne", "Carol", "Whitfield", "Jean", "Alonzo", "Mary", "Claude",
]  # fmt: skip
LAST = [
    "Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Ritchie", "Allen", "McCarthy",
    "Perlman", "Berners-Lee", "Johnson", "Thompson", "Lamarr", "Torvalds", "Wilson", "Rossum", "Borg", "Wirth",
    "Goldwasser", "Lamport", "Easley", "Stroustrup", "Shaw", "Diffie", "Sammet", "Church", "Keller", "Shannon",
    "Nakamura", "Okafor", "Lindqvist", "Moreau", "Castillo", "Novak", "Haddad", "Ivanova", "Kowalski", "Tanaka",
]  # fmt: skip
COMPANIES = [f"Company {n}" for n in range(25)]


@dataclass(frozen=True)
class Fixture:
    """The candidates, and which pairs (ids in order) are truly one person."""

    candidates: list[Candidate]
    duplicates: set[tuple[str, str]]


def _typo(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word) - 1)  # never the first letter: that one people get right
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def generate(people: int = 400, seed: int = 7) -> Fixture:
    """`people` distinct people, a variant of every third one, and a distractor of every fifth."""
    rng = random.Random(seed)
    names = rng.sample([(first, last) for first in FIRST for last in LAST], people)
    candidates: list[Candidate] = []
    duplicates: set[tuple[str, str]] = set()
    distractors: list[tuple[str, str]] = []
    for number, (first, last) in enumerate(names):
        person_id = f"{number:06d}a"
        email, phone = f"{first}.{last}{number}@example.com".lower(), f"+1415{number:07d}"
        company = rng.choice(COMPANIES)
        candidates.append(Candidate(person_id, f"{first} {last}", (email,), (phone,), company))
        if number % 3 == 0:
            variant_id = f"{number:06d}b"
            kind = number // 3 % 4
            if kind == 0:
                variant = Candidate(variant_id, f"{last}, {first}", (email,))
            elif kind == 1:
                variant = Candidate(variant_id, f"{first[0]}. {last}", (), (phone,))
            elif kind == 2:
                variant = Candidate(variant_id, f"{_typo(first, rng)} {last}", (), (), company)
            else:
                variant = Candidate(
                    variant_id, f"{first} {last}", (f"{first}.{number}@home.example".lower(),), (phone,)
                )
            candidates.append(variant)
            duplicates.add((person_id, variant_id))
        if number % 5 == 0:
            taken = {name for name, surname in [*names, *distractors] if surname == last}
            other = rng.choice([name for name in FIRST if name[0] != first[0] and name not in taken])
            distractors.append((other, last))
            candidates.append(  # a namesake at the same company
                Candidate(
                    f"{number:06d}c", f"{other} {last}", (f"{other}.{last}.{number}@example.org".lower(),), (), company
                )
            )
    return Fixture(candidates, duplicates)
