"""A tenant's duplicate index, kept up to date by changes: its contacts as the finder sees them, blocks and links.

The first scan scores every pair that shares a block (api/duplicates/matching.py). After that, a change to some
contacts rescores only the pairs it can affect: the changed contacts with the members of their blocks, and every
pair of a block whose size crossed `MAX_BLOCK` (its pairs became, or stopped being, candidates). Any other pair
shares the same blocks, of sizes on the same side of the limit, as before, so its link is still right.

No I/O; not thread-safe (the caller serialises `apply` per index). `links` is replaced, never changed in place,
so a reader holding it sees one consistent state.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations

from api.duplicates.matching import (
    MAX_BLOCK,
    Candidate,
    Link,
    blocking_keys,
    blocks_of,
    link,
    links,
    ordered,
    pairs_in,
)

type Pair = tuple[str, str]

REBUILD_SHARE = 4  # a change to more than 1/4 of the contacts rebuilds the index rather than patch it


@dataclass(slots=True)
class Index:
    """What the finder knows of one tenant: as of change number `through`."""

    through: int = 0
    candidates: dict[str, Candidate] = field(default_factory=dict)
    blocks: dict[str, set[str]] = field(default_factory=dict)
    links: dict[Pair, Link] = field(default_factory=dict)

    def apply(self, changes: Mapping[str, Candidate | None], through: int) -> None:
        """Take `changes` (contact id: what it is now, None if it is gone), read up to change number `through`."""
        changed = {contact_id: now for contact_id, now in changes.items() if self.candidates.get(contact_id) != now}
        self.through = through
        if not changed:
            return
        if len(changed) * REBUILD_SHARE > len(self.candidates):
            self._rebuild(changed)
            return
        sizes_before = {key: len(self.blocks.get(key, ())) for key in self._keys_of(changed)}
        for contact_id, now in changed.items():
            self._replace(contact_id, now)
        undecided = self._pairs_of(changed) | self._pairs_of_crossed(sizes_before)
        kept = {pair: link for pair, link in self.links.items() if pair not in undecided}
        keys: dict[str, set[str]] = {}  # each contact's blocking keys, computed once for this change
        for a, b in undecided:
            if self._are_candidates(a, b, keys):
                found = link(self.candidates[a], self.candidates[b])
                if found is not None:
                    kept[(a, b)] = found
        self.links = kept

    def _rebuild(self, changed: dict[str, Candidate | None]) -> None:
        for contact_id, now in changed.items():
            if now is None:
                self.candidates.pop(contact_id, None)
            else:
                self.candidates[contact_id] = now
        self.blocks = blocks_of(self.candidates.values())
        found = links(list(self.candidates.values()), pairs_in(self.blocks.values()))
        self.links = {(link.a, link.b): link for link in found}

    def _keys_of(self, changed: dict[str, Candidate | None]) -> set[str]:
        keys: set[str] = set()
        for contact_id, now in changed.items():
            before = self.candidates.get(contact_id)
            keys |= (blocking_keys(before) if before else set()) | (blocking_keys(now) if now else set())
        return keys

    def _replace(self, contact_id: str, now: Candidate | None) -> None:
        before = self.candidates.pop(contact_id, None)
        for key in blocking_keys(before) if before else ():
            members = self.blocks[key]
            members.discard(contact_id)
            if not members:
                del self.blocks[key]
        if now is not None:
            self.candidates[contact_id] = now
            for key in blocking_keys(now):
                self.blocks.setdefault(key, set()).add(contact_id)

    def _pairs_of(self, changed: dict[str, Candidate | None]) -> set[Pair]:
        """Every pair with a changed contact: gone ones (to drop) and live ones with their blocks' members."""
        pairs = {pair for pair in self.links if pair[0] in changed or pair[1] in changed}
        for contact_id, now in changed.items():
            for key in blocking_keys(now) if now else ():
                members = self.blocks[key]
                if len(members) <= MAX_BLOCK:
                    pairs.update(ordered(contact_id, other) for other in members if other != contact_id)
        return pairs

    def _pairs_of_crossed(self, sizes_before: dict[str, int]) -> set[Pair]:
        """The pairs whose candidacy a block's size decides anew: every pair of a block that shrank back to
        MAX_BLOCK, and the linked pairs of one that grew past it (an unlinked pair stays unlinked)."""
        pairs: set[Pair] = set()
        grown = []
        for key, before in sizes_before.items():
            members = self.blocks.get(key, set())
            if before <= MAX_BLOCK < len(members):
                grown.append(members)
            elif len(members) <= MAX_BLOCK < before:
                pairs.update(ordered(a, b) for a, b in combinations(members, 2))
        if grown:
            pairs.update(pair for pair in self.links if any(pair[0] in m and pair[1] in m for m in grown))
        return pairs

    def _are_candidates(self, a: str, b: str, keys: dict[str, set[str]]) -> bool:
        if a not in self.candidates or b not in self.candidates:
            return False
        for contact_id in (a, b):
            if contact_id not in keys:
                keys[contact_id] = blocking_keys(self.candidates[contact_id])
        return any(len(self.blocks[key]) <= MAX_BLOCK for key in keys[a] & keys[b])
