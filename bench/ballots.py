"""What one ballot costs, and how much one debate can take.

    make bench        (or: .venv/bin/python -m bench.ballots)

1. Per ballot, through the API over moto: DynamoDB calls and capacity units (bench/meter.py),
   for a plain vote (first, same again, changed), a poll, a petition, a secret ballot; and
   the largest ballot of a ranked choice, a majority judgment, a score and a dot vote (at
   MAX_OPTIONS options), with the size of the largest ballot item.
2. For 100,000 simulated voters on one debate: how the marker writes spread over the
   ballot partitions for several partition counts S, and the resulting design capacity of
   one debate, given DynamoDB's 1,000 write units per second per partition.
"""

from __future__ import annotations

from collections import Counter

from bench.harness import PUBLIC_CONSULTATION, session
from bench.meter import item_size
from chalicelib.domain.ballots import SHARDS_BY_VISIBILITY, shard_of
from chalicelib.domain.decisions import GRADES, MAX_OPTIONS, MAX_POINTS, MAX_SCORE
from chalicelib.domain.model import ConsultationVisibility

PARTITION_WCU_PER_S = 1_000
VOTERS = 100_000
# A voter of the new kinds' rows: an id as identity providers issue them (a UUID `sub`), so
# that the item sizes printed are a real voter's (the other rows' "ada" is shorter).
VOTER = "0b6f2c1e-7d7e-4a53-9c1b-2d5f7b9a8e11"
IDS = [f"o{n}" for n in range(1, MAX_OPTIONS + 1)]
OPTIONS = [f"Option {n}" for n in range(1, MAX_OPTIONS + 1)]
# The largest ballot of each kind at MAX_OPTIONS options: every option ranked, graded with
# the longest grade id, scored the most, or MAX_POINTS points in two-digit amounts.
LARGEST = {
    "ranked": ({"type": "ranked", "options": OPTIONS}, {"ranking": IDS[::-1]}),
    "majority judgment": (
        {"type": "majority_judgment", "options": OPTIONS},
        {"grades": dict.fromkeys(IDS, max(GRADES, key=len))},
    ),
    "score": (
        {"type": "score", "options": OPTIONS, "max_score": MAX_SCORE},
        {"scores": dict.fromkeys(IDS, MAX_SCORE)},
    ),
    "dot": (
        {"type": "dot", "options": OPTIONS, "points_per_voter": MAX_POINTS},
        {"points": dict.fromkeys(IDS[-(MAX_POINTS // 10) :], 10)},
    ),
}


def per_ballot() -> None:
    with session() as bench:
        call, measure = bench.call, bench.measure
        group = call("mayor", "POST", "/v1/groups", {"name": "Ville"})["id"]
        consultation = call(
            "mayor",
            "POST",
            f"/v1/groups/{group}/consultations",
            PUBLIC_CONSULTATION,
        )["id"]
        debates = {}
        for name, function in {
            "vote": {"type": "vote"},
            "poll": {"type": "poll", "options": ["A", "B", "C"], "max_choices": 2},
            "petition": {"type": "petition"},
            "secret": {"type": "vote", "secret": True},
            **{kind: function for kind, (function, _) in LARGEST.items()},
            "secret majority judgment": {**LARGEST["majority judgment"][0], "secret": True},
        }.items():
            path = f"/v1/consultations/{consultation}/debates"
            debates[name] = call("mayor", "POST", path, {"title": name, "function": function})["id"]
        call("mayor", "POST", f"/v1/consultations/{consultation}/publish")

        def ballot(label: str, sub: str, debate: str, body: dict) -> None:
            measure(label, sub, "PUT", f"/v1/debates/{debate}/ballot", body)

        ballot("vote: first ballot", "ada", debates["vote"], {"choice": "yes"})
        ballot("vote: the same again (a retry)", "ada", debates["vote"], {"choice": "yes"})
        ballot("vote: changed", "ada", debates["vote"], {"choice": "no"})
        ballot("poll: two options", "ada", debates["poll"], {"choices": ["o1", "o3"]})
        ballot("petition: sign", "ada", debates["petition"], {"sign": True})
        ballot("secret vote: first ballot", "ada", debates["secret"], {"choice": "yes"})
        measure("withdraw a vote", "ada", "DELETE", f"/v1/debates/{debates['vote']}/ballot")
        sizes = {}
        for kind, (_, largest) in LARGEST.items():
            ballot(f"{kind}: {MAX_OPTIONS} options", VOTER, debates[kind], largest)
            sizes[kind] = bench.rows[-1].meter.largest_item
        mj = LARGEST["majority judgment"][1]["grades"]
        changed = {"grades": {**mj, IDS[0]: GRADES[0]}}
        ballot("majority judgment: changed", VOTER, debates["majority judgment"], changed)
        secret = debates["secret majority judgment"]
        ballot(f"secret majority judgment: {MAX_OPTIONS}", VOTER, secret, {"grades": mj})
        sizes["secret majority judgment (the larger item: its anonymous ballot)"] = bench.rows[
            -1
        ].meter.largest_item
        print("Per ballot (plain votes write one item; a secret one two, in a transaction):")
        bench.print_rows()
        print(
            f"\nThe largest ballot item of each kind at {MAX_OPTIONS} options, in bytes "
            f"(voter {VOTER}):"
        )
        for kind, size in sizes.items():
            print(f"  {kind:64} {size:5d}")
        # Back to the largest ballot, now with `changed_at`: the largest marker there is.
        call(VOTER, "PUT", f"/v1/debates/{debates['majority judgment']}/ballot", {"grades": mj})
        marker = changed_marker_size(debates["majority judgment"])
        print(f"  {'majority judgment, once changed (+ changed_at)':64} {marker:5d}")


def changed_marker_size(debate_id: str) -> int:
    """The size of VOTER's marker as the table holds it now, read back outside the meter."""
    from chalicelib.store import keys
    from chalicelib.store.models.ballots import BallotMarkerItem

    shards = SHARDS_BY_VISIBILITY[ConsultationVisibility.PUBLIC]
    pk = keys.ballot_pk(debate_id, shard_of(VOTER, shards))
    return item_size(BallotMarkerItem.get(pk, keys.voter_sk(VOTER)).serialize())


def capacity() -> None:
    voters = [f"voter-{n:06d}" for n in range(VOTERS)]
    print(f"\nOne debate, {VOTERS:,} voters: marker writes per ballot partition")
    print(
        f"{'S':>4} {'busiest':>9} {'quietest':>9} {'busiest share':>14} {'plain votes/s':>14} "
        f"{'secret votes/s':>15}"
    )
    for shards in (1, 4, 16, 64, 128):
        spread = Counter(shard_of(voter, shards) for voter in voters)
        busiest, quietest = max(spread.values()), min(spread.values())
        share = busiest / VOTERS
        # A plain vote: 1 WCU on its marker's partition. A secret one: 2 WCU (transaction)
        # on the marker's partition and 2 on the ballot's (another random partition).
        plain = PARTITION_WCU_PER_S / share
        secret = PARTITION_WCU_PER_S / (share * 4)
        print(
            f"{shards:>4} {busiest:>9,} {quietest:>9,} {share:>13.2%} {plain:>14,.0f} "
            f"{secret:>15,.0f}"
        )
    used = ", ".join(f"{v.value} S={s}" for v, s in SHARDS_BY_VISIBILITY.items())
    print(f"\nThe Hub uses {used} (chalicelib/domain/ballots.py).")


def main() -> None:
    per_ballot()
    capacity()


if __name__ == "__main__":
    main()
