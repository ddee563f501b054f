"""DynamoDB calls and capacity units per request, route by route.

    make bench        (or: .venv/bin/python -m bench.requests)

Runs each request through the Chalice test client against moto and prints, per route,
the DynamoDB calls it made and the capacity units they cost (see bench/meter.py).
"""

from __future__ import annotations

from bench.harness import Session, session


def main() -> None:
    with session() as bench:
        call, measure = bench.call, bench.measure
        group = measure("create a group", "alice", "POST", "/v1/groups", {"name": "Club"})
        gid = group["id"]
        key = {"Idempotency-Key": "bench-1"}
        club = {"name": "Club 2"}
        measure("create a group, Idempotency-Key", "alice", "POST", "/v1/groups", club, key)
        # One PutItem, refused by its condition (1 WCU in DynamoDB): the meter counts answers.
        measure("  the same again (a retry)", "alice", "POST", "/v1/groups", club, key)
        invitation = measure(
            "create an invitation", "alice", "POST", f"/v1/groups/{gid}/invitations", {}
        )
        measure(
            "accept an invitation", "bob", "POST", f"/v1/invitations/{invitation['code']}/accept"
        )
        for n in range(20):
            code = call("alice", "POST", f"/v1/groups/{gid}/invitations", {})["code"]
            call(f"user{n}", "POST", f"/v1/invitations/{code}/accept")
        measure("read a group (anonymous)", None, "GET", f"/v1/groups/{gid}")
        measure("read a group (member)", "bob", "GET", f"/v1/groups/{gid}")
        measure("list the directory", None, "GET", "/v1/groups")
        measure("list 20 members", "bob", "GET", f"/v1/groups/{gid}/members?limit=20")
        measure("GET /me (first: records reachability)", "bob", "GET", "/v1/me")
        measure("GET /me (again)", "bob", "GET", "/v1/me")
        measure("list my notifications", "bob", "GET", "/v1/me/notifications")
        read_all = {"all": True}
        measure("mark all read", "bob", "POST", "/v1/me/notifications/read", read_all)
        measure("read my preferences", "bob", "GET", "/v1/me/preferences")
        never = {"kinds": {"reply": "never"}}
        measure("change a preference", "bob", "PATCH", "/v1/me/preferences", never)
        measure("follow a group", "user1", "PUT", f"/v1/groups/{gid}/follow")
        measure(
            "change a role", "alice", "PUT", f"/v1/groups/{gid}/members/bob", {"role": "author"}
        )
        measure("update settings", "alice", "PATCH", f"/v1/groups/{gid}", {"description": "x"})
        measure("read the audit log", "alice", "GET", f"/v1/groups/{gid}/audit")
        measure("leave", "bob", "DELETE", f"/v1/groups/{gid}/members/bob")

        closes = "2099-01-01T00:00:00Z"
        consultation = measure(
            "create a consultation",
            "alice",
            "POST",
            f"/v1/groups/{gid}/consultations",
            {"title": "Budget", "visibility": "members", "closes_at": closes},
        )
        cid = consultation["id"]
        debate = measure(
            "create a debate",
            "alice",
            "POST",
            f"/v1/consultations/{cid}/debates",
            {"title": "Playground", "function": {"type": "vote"}},
        )
        measure("publish", "alice", "POST", f"/v1/consultations/{cid}/publish")
        measure("read a consultation (member)", "user1", "GET", f"/v1/consultations/{cid}")
        measure("read a debate (member)", "user1", "GET", f"/v1/debates/{debate['id']}")
        measure("list its debates", "user1", "GET", f"/v1/consultations/{cid}/debates")
        for n in range(10):
            call(
                "alice",
                "POST",
                f"/v1/groups/{gid}/consultations",
                {"title": f"C{n}", "visibility": "members", "closes_at": closes},
            )
        measure("list 11 group consultations", "user1", "GET", f"/v1/groups/{gid}/consultations")
        measure(
            "grant a role",
            "alice",
            "PUT",
            f"/v1/consultations/{cid}/grants/eve",
            {"role": "author"},
        )
        deliberation(bench, gid, debate["id"])
        debates_with_my_state(bench, gid)
        results_and_open_data(bench, gid)
        proxies(bench, gid)

    bench.print_rows()


def deliberation(bench: Session, gid: str, debate_id: str) -> None:
    """A vote and the comment routes: each reads the caller's access to the debate once."""
    call, measure = bench.call, bench.measure
    call("alice", "PUT", f"/v1/groups/{gid}/members/user2", {"role": "moderator"})
    measure("cast a vote", "user1", "PUT", f"/v1/debates/{debate_id}/ballot", {"choice": "yes"})
    measure("read my ballot", "user1", "GET", f"/v1/debates/{debate_id}/ballot")
    comments = f"/v1/debates/{debate_id}/comments"
    comment = measure("write a comment", "user1", "POST", comments, {"body": "Yes, please."})
    path = f"/v1/comments/{comment['id']}"
    measure("list comments", "user3", "GET", comments)
    measure("react to a comment", "user3", "PUT", f"{path}/reaction")
    measure("flag a comment", "user3", "POST", f"{path}/flags", {"reason": "spam"})
    measure("hide a comment", "user2", "POST", f"{path}/hide", {"reason": "off topic"})
    measure("delete a comment (moderator)", "user2", "DELETE", path)
    measure("block a member", "user2", "PUT", f"/v1/groups/{gid}/blocks/user4", {"reason": "spam"})


def debates_with_my_state(bench: Session, gid: str) -> None:
    """A screen of ten votes, five of which the caller voted in: each item says whether they
    voted and whether they can."""
    call, measure = bench.call, bench.measure
    closes = "2099-01-01T00:00:00Z"
    body = {"title": "Ten votes", "visibility": "members", "closes_at": closes}
    cid = call("alice", "POST", f"/v1/groups/{gid}/consultations", body)["id"]
    path = f"/v1/consultations/{cid}/debates"
    ids = [
        call("alice", "POST", path, {"title": f"Vote {n}", "function": {"type": "vote"}})["id"]
        for n in range(10)
    ]
    call("alice", "POST", f"/v1/consultations/{cid}/publish")
    for debate_id in ids[:5]:
        call("user5", "PUT", f"/v1/debates/{debate_id}/ballot", {"choice": "no"})
    measure("list 10 debates, voted in 5", "user5", "GET", f"{path}?limit=10")


def proxies(bench: Session, gid: str) -> None:
    """A consultation allowing proxies: one given, listed, used, replaced by its giver's own
    ballot; another given and revoked."""
    call, measure = bench.call, bench.measure
    body = {
        "title": "Assembly",
        "visibility": "members",
        "closes_at": "2099-01-01T00:00:00Z",
        "proxies": {"allowed": True, "max_per_holder": 2},
    }
    cid = call("alice", "POST", f"/v1/groups/{gid}/consultations", body)["id"]
    vote = {"title": "Motion", "function": {"type": "vote"}}
    debate = call("alice", "POST", f"/v1/consultations/{cid}/debates", vote)["id"]
    call("alice", "POST", f"/v1/consultations/{cid}/publish")
    proxy = f"/v1/consultations/{cid}/proxy"
    measure("give a proxy", "user7", "PUT", proxy, {"holder": "user8"})
    measure("list the proxies I hold", "user8", "GET", "/v1/me/proxies")
    ballot = f"/v1/debates/{debate}/ballot"
    measure("vote for a proxy's giver", "user8", "PUT", ballot, {"choice": "no", "for": "user7"})
    measure("the giver votes: replaces it", "user7", "PUT", ballot, {"choice": "yes"})
    call("user9", "PUT", proxy, {"holder": "user8"})
    measure("revoke a proxy", "user9", "DELETE", proxy)


def results_and_open_data(bench: Session, gid: str) -> None:
    """A public consultation of three votes, with ten arguments in each, finalised: its
    results (JSON and CSV) and its open data, each read by anyone."""
    from datetime import timedelta

    from chalicelib.domain import clock
    from chalicelib.services import closer

    call, measure = bench.call, bench.measure
    closes = clock.to_iso(clock.now() + timedelta(days=1))
    body = {
        "title": "Open",
        "visibility": "public",
        "participation": "signed_in",
        "closes_at": closes,
    }
    cid = call("alice", "POST", f"/v1/groups/{gid}/consultations", body)["id"]
    path = f"/v1/consultations/{cid}/debates"
    ids = [
        call("alice", "POST", path, {"title": f"Vote {n}", "function": {"type": "vote"}})["id"]
        for n in range(3)
    ]
    call("alice", "POST", f"/v1/consultations/{cid}/publish")
    for debate_id in ids:
        call("user6", "PUT", f"/v1/debates/{debate_id}/ballot", {"choice": "yes"})
        for n in range(10):
            idea = {"body": f"Idea {n}"}
            call(f"resident{n}", "POST", f"/v1/debates/{debate_id}/comments", idea)
    real_now = clock.now
    later = real_now() + timedelta(days=2)
    clock.now = lambda: later  # type: ignore[assignment]
    try:
        closer.close_due_consultations(later)
        results = f"/v1/consultations/{cid}/results"
        measure("results of 3 votes", None, "GET", results)
        measure("  the same as CSV", None, "GET", f"{results}?format=csv")
        measure(
            "open data (3 votes, 30 arguments)", None, "GET", f"/v1/consultations/{cid}/open-data"
        )
    finally:
        clock.now = real_now  # type: ignore[assignment]


if __name__ == "__main__":
    main()
