"""A ballot's value: what a voter chose, and what it adds to a running tally. Apart from the
rules of ballots (ballots.py), so that the tally consumer, which only reads ballots, loads
nothing else of the domain (chalicelib/jobs/count_ballots.py).

A ballot is stored as one string (`key`) that says its own form, so that the tally consumer
turns any ballot into its tally deltas without reading the debate:

| form | ballot | key |
|---|---|---|
| choices (vote, poll, petition) | yes / o1, o3 / signed | `yes`, `o1,o3`, `signed` |
| ranking | o3 best, then o1 | `ranking:o3,o1` |
| grades (majority judgment) | o1 bien, o2 passable | `grades:o1=bien,o2=passable` |
| scores | o1 4, o2 0 | `scores:o1=4,o2=0` |
| points (dot voting) | o1 3, o2 2 | `points:o1=3,o2=2` |
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations

CHOICES, RANKING, GRADES, SCORES, POINTS = "", "ranking", "grades", "scores", "points"
MARKED = (GRADES, SCORES, POINTS)  # forms whose every option carries a mark

# Tally keys of a ranking, beside its options' (see `Ballot.deltas`).
FIRST, RANKED, BEATS = "first:", "ranked:", ">"


@dataclass(frozen=True)
class Ballot:
    """What a voter chose.

    `choices` are option keys: sorted for a vote (one of yes/no/abstain), a poll (option
    ids) and a petition (`signed`); best first for a ranking; sorted for a marked ballot,
    whose `marks` give each option its grade, score or points, in the same order."""

    choices: tuple[str, ...]
    form: str = CHOICES
    marks: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The ballot as stored: its form, then its comma-separated option keys."""
        if self.form in MARKED:
            body = ",".join(f"{c}={m}" for c, m in zip(self.choices, self.marks, strict=True))
        else:
            body = ",".join(self.choices)
        return f"{self.form}:{body}" if self.form else body

    @classmethod
    def from_key(cls, key: str) -> Ballot:
        form, _, body = key.rpartition(":")
        entries = tuple(body.split(",")) if body else ()
        if form in MARKED:
            pairs = [entry.partition("=") for entry in entries]
            return cls(tuple(p[0] for p in pairs), form, tuple(p[2] for p in pairs))
        return cls(entries, form)

    @property
    def marked(self) -> dict[str, str]:
        """A marked ballot's mark per option."""
        return dict(zip(self.choices, self.marks, strict=True))

    def deltas(self) -> Counter[str]:
        """What this ballot adds to its debate's running tally; withdrawing it subtracts as
        much. Every form is additive, so a tally is the sum of its ballots' deltas:

        - choices: 1 per option chosen;
        - ranking: `first:o` for its first option; `ranked:o` for each option ranked; `a>b`
          for each pair it ranks, a above b (the pairwise matrix, unranked options below
          every ranked one, follows: see `pairwise` in outcomes.py);
        - grades: `o=grade` for each option (the count of each grade per option);
        - scores: `o` adds the score (the sum) and `o=score` counts it (the distribution);
        - points: `o` adds the points.
        """
        deltas: Counter[str] = Counter()
        if self.form == RANKING:
            if self.choices:
                deltas[FIRST + self.choices[0]] += 1
            deltas.update(RANKED + option for option in self.choices)
            deltas.update(f"{a}{BEATS}{b}" for a, b in combinations(self.choices, 2))
        elif self.form == GRADES:
            deltas.update(f"{o}={g}" for o, g in zip(self.choices, self.marks, strict=True))
        elif self.form == SCORES:
            for option, score in zip(self.choices, self.marks, strict=True):
                deltas[option] += int(score)
                deltas[f"{option}={score}"] += 1
        elif self.form == POINTS:
            for option, points in zip(self.choices, self.marks, strict=True):
                deltas[option] += int(points)
        else:
            deltas.update(self.choices)
        return deltas
