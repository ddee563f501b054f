"""What one ballot costs, and how much one debate can take.

    make bench        (or: .venv/bin/python -m bench.ballots)

1. Per ballot, through the API over moto: DynamoDB calls and capacity units (bench/meter.py),
   for a plain vote (first, same again, changed), a poll, a petition, a secret ballot.
2. For 100,000 simulated voters on one debate: how the marker writes spread over the
   ballot partitions for several partition counts S, and the resulting design capacity of
   one debate, given DynamoDB's 1,000 write units per second per partition.
"""

from __future__ import annotations

from collections import Counter

from bench.harness import PUBLIC_CONSULTATION, session
from chalicelib.domain.ballots import SHARDS_BY_VISIBILITY, shard_of

PARTITION_WCU_PER_S = 1_000
VOTERS = 100_000


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
        print("Per ballot (plain votes write one item; a secret one two, in a transaction):")
        bench.print_rows()


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
