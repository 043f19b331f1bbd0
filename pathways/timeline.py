"""Layout of the timeline page: the member's milestones and the cycle's dates on a time axis.

Pure arithmetic for a server-rendered SVG (no charting JavaScript): the template draws
what `timeline_layout` computes, in a fixed viewBox.
"""

import datetime
from dataclasses import dataclass, field

from pathways.roadmap import Item, Roadmap

WIDTH = 1000
PLOT_LEFT, PLOT_RIGHT = 380, 980
TOP = 60  # room for the axis and the cycle's numbered markers
ROW_HEIGHT = 30
PADDING_DAYS = 30


@dataclass
class Marker:
    kind: str  # completed, planned or deadline
    date: datetime.date
    x: float


@dataclass
class ChartRow:
    item: Item
    y: float
    markers: list[Marker] = field(default_factory=list)

    @property
    def text_y(self) -> float:
        return self.y + 5


@dataclass
class CycleLine:
    number: int
    label: str
    date: datetime.date
    x: float
    proposed: bool = False


@dataclass
class Tick:
    label: str
    x: float


@dataclass
class Chart:
    rows: list[ChartRow]
    undated: list[Item]
    cycle_lines: list[CycleLine]
    ticks: list[Tick]
    today_x: float
    height: float
    start: datetime.date
    end: datetime.date
    width: int = WIDTH
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    top: int = TOP

    @property
    def bottom(self) -> float:
        return self.height - 18


def dates_of(item: Item) -> list[Marker]:
    found = [
        ("completed", item.progress.completed_date),
        ("planned", item.progress.planned_date),
        ("deadline", item.deadline),
    ]
    return [Marker(kind, date, 0) for kind, date in found if date]


def timeline_layout(roadmap: Roadmap) -> Chart:
    today = roadmap.today
    dated = [(item, dates_of(item)) for item in roadmap.items]
    cycle_dates = roadmap.cycle.dates() if roadmap.cycle else []
    every = [today, *(m.date for _, ms in dated for m in ms), *(d.date for d in cycle_dates)]
    start = min(every) - datetime.timedelta(days=PADDING_DAYS)
    end = max(every) + datetime.timedelta(days=PADDING_DAYS)
    span = (end - start).days

    def x(date: datetime.date) -> float:
        return round(PLOT_LEFT + (date - start).days / span * (PLOT_RIGHT - PLOT_LEFT), 1)

    rows = []
    for item, markers in dated:
        if not markers:
            continue
        for marker in markers:
            marker.x = x(marker.date)
        rows.append(ChartRow(item, TOP + 20 + len(rows) * ROW_HEIGHT, markers))
    lines = [
        CycleLine(number, info.label, info.date, x(info.date), info.proposed)
        for number, info in enumerate(cycle_dates, start=1)
    ]
    return Chart(
        rows=rows,
        undated=[item for item, markers in dated if not markers],
        cycle_lines=lines,
        ticks=[Tick(label, x(date)) for label, date in ticks(start, end)],
        today_x=x(today),
        height=TOP + 34 + max(len(rows), 1) * ROW_HEIGHT,
        start=start,
        end=end,
    )


def ticks(start: datetime.date, end: datetime.date) -> list[tuple[str, datetime.date]]:
    """Month starts on the axis: every month, or every quarter on a long span."""
    step = 1 if (end - start).days <= 550 else 3
    if (end - start).days > 2200:
        step = 12
    year, month = start.year, start.month + 1
    result = []
    while True:
        if month > 12:
            year, month = year + 1, month - 12
        date = datetime.date(year, month, 1)
        if date > end:
            return result
        if (month - 1) % step == 0:
            result.append((f"{date:%Y}" if month == 1 else f"{date:%b}", date))
        month += 1
