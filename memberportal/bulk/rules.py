"""Reading a bulk file's lines: pure, no database. Each line gets its values or a problem."""

from __future__ import annotations

from dataclasses import dataclass

MAX_ROWS = 20_000
MAX_POINTS = 10**7  # the same bound as a single staff adjustment


@dataclass(frozen=True)
class PointsLine:
    line_no: int
    member: str
    points: int | None
    reason: str
    problem: str | None = None


def _integer(text: str) -> int | None:
    text = text.replace(",", "").replace(" ", "")
    if text.startswith("+"):
        text = text[1:]
    try:
        return int(text)
    except ValueError:
        return None


def is_header(cells: list[str], number_column: int) -> bool:
    """A first line whose number column holds no number names the columns."""
    return len(cells) <= number_column or _integer(cells[number_column]) is None


def points_lines(rows: list[tuple[int, list[str]]]) -> list[PointsLine]:
    """Lines of "member number or phone, points, reason"; a header line is skipped."""
    if rows and is_header(rows[0][1], 1):
        rows = rows[1:]
    return [points_line(line_no, cells) for line_no, cells in rows]


def points_line(line_no: int, cells: list[str]) -> PointsLine:
    cells = [*cells, "", "", ""]
    member, amount, reason = cells[0], cells[1], cells[2]
    points = _integer(amount)
    problem = None
    if not member:
        problem = "member_missing"
    elif points is None:
        problem = "points_not_a_number"
    elif points == 0:
        problem = "points_zero"
    elif abs(points) > MAX_POINTS:
        problem = "points_too_large"
    elif not reason:
        problem = "reason_missing"
    elif len(reason) > 500:
        problem = "reason_too_long"
    return PointsLine(line_no, member, points, reason, problem)


def running_outcomes(lines, balances: dict, members: dict, threshold: int | None) -> list[str]:
    """The preview's outcome for each line, in file order: a member's balance moves with the
    lines before it. `members` maps what was typed to a member id (absent: unknown);
    `threshold` is the approval threshold (None: no approval needed)."""
    from memberportal.bulk.models import APPROVAL, INVALID, NEGATIVE, OK, UNKNOWN_MEMBER

    balance = dict(balances)
    outcomes = []
    for line in lines:
        member_id = members.get(line.member)
        if line.problem:
            outcomes.append(INVALID)
        elif member_id is None:
            outcomes.append(UNKNOWN_MEMBER)
        elif threshold is not None and abs(line.points) > threshold:
            outcomes.append(APPROVAL)  # reaches the ledger only when approved
        elif balance[member_id] + line.points < 0:
            outcomes.append(NEGATIVE)
        else:
            balance[member_id] += line.points
            outcomes.append(OK)
    return outcomes


@dataclass(frozen=True)
class MemberLine:
    line_no: int
    name: str
    contact: str
    growth: int
    points: int
    problem: str | None = None


def member_lines(rows: list[tuple[int, list[str]]]) -> list[MemberLine]:
    """Lines of "name, phone or email, starting growth, starting points" (the last two may be
    empty: 0); a header line is skipped (its second cell holds no phone or email)."""
    if rows and _looks_like_header(rows[0][1]):
        rows = rows[1:]
    return [member_line(line_no, cells) for line_no, cells in rows]


def _looks_like_header(cells: list[str]) -> bool:
    contact = cells[1] if len(cells) > 1 else ""
    return "@" not in contact and not any(ch.isdigit() for ch in contact)


def member_line(line_no: int, cells: list[str]) -> MemberLine:
    cells = [*cells, "", "", "", ""]
    name, contact = cells[0], cells[1]
    growth = _integer(cells[2]) if cells[2] else 0
    points = _integer(cells[3]) if cells[3] else 0
    problem = None
    if not name or len(name) > 100:
        problem = "name_missing"
    elif not contact:
        problem = "contact_invalid"
    elif growth is None or points is None or growth < 0 or points < 0:
        problem = "number_invalid"
    elif growth > MAX_POINTS or points > MAX_POINTS:
        problem = "points_too_large"
    return MemberLine(line_no, name, contact, growth or 0, points or 0, problem)
