"""Fleets: one expected schema, many databases, one run (DESIGN 4, "Fleets").

The expected sources are read and replayed once (:func:`driftgate.check.load_expected`); each
database is then read once and compared.  Remote databases are checked concurrently (``--jobs``),
file databases in a small pool of their own.  Each database's outcome is handed to a callback as
soon as it is known and then dropped, so memory stays bounded however many databases there are.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from driftgate.check import CheckResult, Expected, check_database, load_expected
from driftgate.db_list import Listed, Member, fleet_members
from driftgate.errors import DatabaseError, InputError
from driftgate.request import CheckRequest
from driftgate.urls import redact

if TYPE_CHECKING:
    from driftgate.report.fleet import Part
    from driftgate.stamp import StampPlan

DEFAULT_JOBS = 8
FILE_WORKERS = 4  # file reads are local and mostly CPU: more threads than cores only add contention


@dataclass(frozen=True)
class DatabaseOutcome:
    """What one database of a fleet came to: its check, or why it could not be checked."""

    index: int
    member: Member
    result: CheckResult | None
    error: str | None  # redacted; set when the database was unreachable

    @property
    def verdict(self) -> str:
        if self.result is None:
            return "unreachable"
        return "conforms" if self.result.report.gate_pass else "drift"


T = TypeVar("T")


def check_member(expected: Expected, member: Member, index: int) -> DatabaseOutcome:
    try:
        result = check_database(expected, member.target)
    except DatabaseError as error:
        return DatabaseOutcome(index, member, None, redact(str(error), (member.target.auth_token,)))
    return DatabaseOutcome(index, member, result, None)


def run_fleet(
    members: Sequence[Member],
    work: Callable[[Member, int], T],
    on_done: Callable[[T], None],
    *,
    jobs: int = DEFAULT_JOBS,
    file_pool: Executor | None = None,
    file_work: Callable[[Member, int], T] | None = None,
) -> None:
    """Run ``work`` for every member, remote ones ``jobs`` at a time, files in a small pool.

    ``file_pool``/``file_work`` replace the file databases' thread pool (a process pool uses both
    cores for what is CPU work: comparing and rendering). ``on_done`` runs in the calling thread as
    each database finishes; at most twice the pool sizes of results are alive at any time, so a
    fleet of thousands never holds all its models.
    """
    if jobs < 1:
        raise InputError("--jobs: must be at least 1")
    remote = deque((i, m) for i, m in enumerate(members) if not m.target.is_file)
    files = deque((i, m) for i, m in enumerate(members) if m.target.is_file)
    file_workers = max(1, min(FILE_WORKERS, jobs))
    with contextlib.ExitStack() as stack:
        remote_pool = stack.enter_context(ThreadPoolExecutor(jobs, "driftgate-remote"))
        if file_pool is None or file_work is None:
            file_pool = stack.enter_context(ThreadPoolExecutor(file_workers, "driftgate-file"))
            file_work = work
        running: dict[Future[T], bool] = {}  # future -> is remote

        def fill() -> None:
            for queue, pool, task, limit, is_remote in (
                (remote, remote_pool, work, jobs, True),
                (files, file_pool, file_work, file_workers, False),
            ):
                while queue and sum(1 for r in running.values() if r == is_remote) < 2 * limit:
                    index, member = queue.popleft()
                    running[pool.submit(task, member, index)] = is_remote

        fill()
        try:
            while running:
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in finished:
                    del running[future]
                    on_done(future.result())
                fill()
        except BaseException:
            for future in running:
                future.cancel()
            raise


def fleet_jobs(jobs: int | None, option: str = "--jobs") -> int:
    """How many databases at once: the option's value, else DEFAULT_JOBS; below 1 is bad input."""
    if jobs is not None and jobs < 1:
        raise InputError(f"{option}: must be at least 1")
    return jobs or DEFAULT_JOBS


def check_fleet(
    expected: Expected, members: Sequence[Member], on_done: Callable[[DatabaseOutcome], None], *, jobs: int
) -> None:
    run_fleet(members, lambda member, index: check_member(expected, member, index), on_done, jobs=jobs)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def exit_code(verdicts: Iterable[str]) -> int:
    """3 if any database was unreachable, else 1 if any drifted, else 0 (DESIGN 4)."""
    found = set(verdicts)
    return 3 if "unreachable" in found else 1 if "drift" in found else 0


MIN_FILES_FOR_PROCESSES = 16  # below this, starting worker processes costs more than it saves


def _checked_part(outcome: DatabaseOutcome, *, want_json: bool, html_path: Path | None) -> Part:
    from driftgate.report.fleet import render_part

    report = outcome.result.report if outcome.result is not None else None
    member = outcome.member
    return render_part(
        outcome.index,
        member.name,
        member.target.display,
        outcome.error,
        report,
        want_json=want_json,
        html_path=html_path,
    )


_PROCESS_EXPECTED: Expected | None = None  # set in each worker process by _init_process


def _init_process(request: CheckRequest) -> None:
    global _PROCESS_EXPECTED
    # Replayed once per worker process, on its own core: the pool's workers already use them all.
    _PROCESS_EXPECTED = load_expected(request, start_helper=False)


def _process_part(member: Member, index: int, *, want_json: bool, html_path: Path | None) -> Part:
    assert _PROCESS_EXPECTED is not None
    return _checked_part(check_member(_PROCESS_EXPECTED, member, index), want_json=want_json, html_path=html_path)


@contextlib.contextmanager
def _file_processes(members: Sequence[Member], request: CheckRequest, jobs: int) -> Iterator[Executor | None]:
    """A process pool for many file databases on a machine with several cores, else None (threads).

    Comparing and rendering are Python CPU work that threads cannot spread over cores. Workers are
    spawned, not forked: forking while the remote threads run could copy a held lock.
    """
    workers = min(FILE_WORKERS, os.cpu_count() or 1, jobs)
    files = sum(1 for m in members if m.target.is_file)
    if workers < 2 or files < MIN_FILES_FOR_PROCESSES:
        yield None
        return
    import multiprocessing  # ~15 ms of imports: only a fleet of 16 or more files pays them
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_process, initargs=(request,)) as pool:
        yield pool


def fleet_check(
    request: CheckRequest,
    listed: Sequence[Listed],
    *,
    jobs: int,
    json_path: Path | None,
    html_path: Path | None,
    environ: Mapping[str, str],
    markdown_path: Path | None = None,
    quiet: bool = False,
) -> int:
    """``driftgate check`` over a fleet; returns the exit code.

    ``quiet``: the verdict line only.  ``markdown_path``: the fleet's Markdown summary.  As for one
    database, the summary is also appended to ``$GITHUB_STEP_SUMMARY`` when ``environ`` sets it.
    """
    from driftgate.report.fleet import FleetConsole, FleetReport
    from driftgate.report.markdown import write_markdown

    if html_path is not None:
        import driftgate.report.fleet_html  # noqa: F401  (jinja2: imported here, not first in many threads at once)
    members = fleet_members(listed, environ)
    expected = load_expected(request, environ)  # read and replayed once, before any database is contacted
    fleet = FleetReport(len(members), json_path=json_path, html_path=html_path, started_at=now())
    render = functools.partial(_checked_part, want_json=json_path is not None, html_path=html_path)
    try:
        with (
            FleetConsole(len(members), quiet=quiet) as console,
            _file_processes(members, request, jobs) as processes,
        ):
            run_fleet(
                members,
                lambda member, index: render(check_member(expected, member, index)),
                lambda part: console.row(fleet.add_part(part)),
                jobs=jobs,
                file_pool=processes,
                file_work=functools.partial(_process_part, want_json=json_path is not None, html_path=html_path),
            )
        fleet.write()
        write_markdown(fleet, markdown_path, environ)
    finally:
        fleet.close()
    console.summary(fleet)
    return fleet.exit_code()


@dataclass(frozen=True)
class StampDecision:
    """One database's answer in the check phase of a fleet stamp."""

    member: Member
    action: str  # "stamp", "already", "refused", "unreachable"
    detail: str
    plan: StampPlan | None = None


def decide_stamp(expected: Expected, member: Member, index: int) -> tuple[StampDecision, DatabaseOutcome]:
    """Check one database and decide with the one stamp decision of ``driftgate stamp`` (stamp.py)."""
    from driftgate.errors import StampRefused
    from driftgate.stamp import decide_stamp as decide

    outcome = check_member(expected, member, index)
    if outcome.result is None:
        return StampDecision(member, "unreachable", outcome.error or "unreachable"), outcome
    result, report = outcome.result, outcome.result.report
    assert result.migrations is not None
    try:
        plan = decide(report, result.migrations, result.live.ledger, expected.request.ledger_table)
    except StampRefused as refused:
        return StampDecision(member, "refused", redact(str(refused), (member.target.auth_token,))), outcome
    if plan.already_stamped:
        return StampDecision(member, "already", f"{plan.tag} is already stamped; nothing written"), outcome
    rows = len(plan.to_insert)
    return StampDecision(member, "stamp", f"{report.verdict()}; {rows} ledger row(s) up to {plan.tag}", plan), outcome


def fleet_stamp(
    request: CheckRequest,
    listed: Sequence[Listed],
    *,
    jobs: int,
    dry_run: bool,
    backup: bool,
    confirm: Callable[[int], None] | None,
    json_path: Path | None,
    environ: Mapping[str, str],
) -> int:
    """``driftgate stamp`` over a fleet: stamp each database that passes its own gate, refuse the others.

    Phase one checks every database and prints its plan; phase two (not in a dry run) writes the
    stamps, each re-planned inside its own transaction by :func:`driftgate.stamp.write_stamp`.
    Returns the exit code: 3 if any database was unreachable, else 1 if any was refused, else 0.
    """
    from driftgate.errors import StampRefused
    from driftgate.report.fleet import FleetConsole, FleetReport
    from driftgate.stamp import write_stamp

    members = fleet_members(listed, environ)
    expected = load_expected(request, environ)
    assert expected.folder is not None
    report = FleetReport(len(members), json_path=json_path, html_path=None, started_at=now())
    counts: dict[str, int] = {}
    to_stamp: list[StampDecision] = []
    plans: dict[tuple, list[tuple[int, str]]] = {}  # identical statement lists -> (index, name) of databases

    def checked(done: tuple[StampDecision, DatabaseOutcome]) -> None:
        decision, outcome = done
        report.add(outcome)
        if decision.action == "stamp":
            assert decision.plan is not None
            to_stamp.append(decision)
            plans.setdefault(decision.plan.statements, []).append((outcome.index, decision.member.name))
            if dry_run:
                counts["would stamp"] = counts.get("would stamp", 0) + 1
                console.line(decision.member.name, "would stamp", decision.detail)
            return
        counts[decision.action] = counts.get(decision.action, 0) + 1
        console.line(decision.member.name, decision.action, decision.detail)

    try:
        with FleetConsole(len(members)) as console:
            run_fleet(members, lambda member, index: decide_stamp(expected, member, index), checked, jobs=jobs)
        report.write()
    finally:
        report.close()
    if dry_run:
        for statements, indexed in plans.items():
            names = [name for _, name in sorted(indexed)]
            shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
            console.console.print(f"-- dry run: in one transaction per database, for {shown}:", markup=False)
            for sql_text, args in statements:
                console.console.print(inline_sql(sql_text, args) + ";", markup=False)
    elif to_stamp:
        position = {m.name: i for i, m in enumerate(members)}
        to_stamp.sort(key=lambda d: position[d.member.name])
        if confirm is not None:
            confirm(len(to_stamp))
        if any(not d.member.target.is_file for d in to_stamp):
            console.console.print(
                "note: back up remote databases first, e.g. `turso db shell <db> .dump > backup.sql`", markup=False
            )

        def write(member: Member, index: int) -> tuple[Member, str, str]:
            decision = to_stamp[index]
            assert decision.plan is not None
            try:
                outcome = write_stamp(
                    member.target, expected.folder, decision.plan.tag, request.ledger_table,  # type: ignore[arg-type]
                    timeout=request.timeout, backup=backup,
                )  # fmt: skip
            except StampRefused as refused:
                return member, "refused", redact(str(refused), (member.target.auth_token,))
            except DatabaseError as error:
                return member, "unreachable", redact(str(error), (member.target.auth_token,))
            return member, "already" if outcome.already else "stamped", str(outcome)

        def written(done: tuple[Member, str, str]) -> None:
            member, action, detail = done
            counts[action] = counts.get(action, 0) + 1
            console.line(member.name, action, detail)

        with FleetConsole(len(to_stamp), console.console) as console:
            run_fleet([d.member for d in to_stamp], write, written, jobs=jobs)
    summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
    console.console.print(f"driftgate stamp: fleet of {len(members)}: {summary}", markup=False)
    return 3 if counts.get("unreachable") else 1 if counts.get("refused") else 0


def inline_sql(sql_text: str, args: Sequence[object]) -> str:
    """A statement with its parameters written in, for --dry-run."""
    parts = sql_text.split("?")
    out = parts[0]
    for value, rest in zip(args, parts[1:], strict=False):
        out += (f"'{value}'" if isinstance(value, str) else str(value)) + rest
    return out
