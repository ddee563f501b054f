"""DynamoDB calls and capacity units of a person's export and erasure, by how much they did.

    make bench        (or: .venv/bin/python -m bench.privacy)

A resident of a public consultation with N items: in each of N/4 debates a ballot, an
argument, a reaction and a flag on a neighbour's argument. Then their export (JSON), and
their erasure: ballots withdrawn (open debates), arguments kept as a deleted member's,
reactions and flags taken back with their comments' counts.
"""

from __future__ import annotations

from bench.harness import PUBLIC_CONSULTATION, Session, session


def resident_with(bench: Session, n: int) -> str:
    """A resident with n items (n/4 debates); returns their sub."""
    call = bench.call
    organiser, resident, neighbour = f"organiser{n}", f"resident{n}", f"neighbour{n}"
    group = call(organiser, "POST", "/v1/groups", {"name": f"Quartier {n}"})["id"]
    consultation = call(organiser, "POST", f"/v1/groups/{group}/consultations", PUBLIC_CONSULTATION)
    debates = [
        call(
            organiser,
            "POST",
            f"/v1/consultations/{consultation['id']}/debates",
            {"title": f"Motion {k}", "function": {"type": "vote"}},
        )["id"]
        for k in range(n // 4)
    ]
    call(organiser, "POST", f"/v1/consultations/{consultation['id']}/publish")
    for debate in debates:
        call(resident, "PUT", f"/v1/debates/{debate}/ballot", {"choice": "yes"})
        call(resident, "POST", f"/v1/debates/{debate}/comments", {"body": "Pour", "stance": "pro"})
        theirs = call(neighbour, "POST", f"/v1/debates/{debate}/comments", {"body": "Contre"})
        call(resident, "PUT", f"/v1/comments/{theirs['id']}/reaction")
        call(resident, "POST", f"/v1/comments/{theirs['id']}/flags", {"reason": "off_topic"})
    return resident


def main() -> None:
    with session() as bench:
        for n in (4, 40, 100):
            resident = resident_with(bench, n)
            bench.measure(f"export, {n} items", resident, "GET", "/v1/me/export")
            erased = bench.measure(f"erase, {n} items", resident, "DELETE", "/v1/me")
            if erased:  # 202: its time budget ran out (moto is slower than DynamoDB)
                bench.rows[-1].label += " (202)"
            bench.measure("  erase again", resident, "DELETE", "/v1/me")
        bench.print_rows()


if __name__ == "__main__":
    main()
