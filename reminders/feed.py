"""A member's iCalendar feed (RFC 5545, built with the icalendar package).

All-day events for every date of `schedule.dated_items`, with stable UIDs so a calendar
client updates an event in place when its date moves, "(proposed)" in the title of dates
not yet official, and alarms a week and a day before hard deadlines.
"""

import datetime

from icalendar import Alarm, Calendar, Event

from reminders.emails import absolute
from reminders.schedule import Dated

ALARMS_BEFORE = [datetime.timedelta(days=7), datetime.timedelta(days=1)]


def build_calendar(items: list[Dated], stamp: datetime.datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//IMG Portal//Roadmap dates//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "IMG Portal: my roadmap")
    calendar.add("x-wr-caldesc", "Deadlines and dates from your IMG Portal roadmap.")
    calendar.add("refresh-interval", datetime.timedelta(hours=12), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")
    for item in items:
        calendar.add_component(event_for(item, stamp))
    return calendar.to_ical()


def event_for(item: Dated, stamp: datetime.datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("summary", item.display_title)
    event.add("dtstart", item.date)
    event.add("dtend", item.date + datetime.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    url = absolute(item.path)
    event.add("url", url)
    event.add("description", "\n\n".join(filter(None, [item.note, url])))
    if item.hard:
        for before in ALARMS_BEFORE:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{item.display_title}: {item.date:%-d %b %Y}")
            alarm.add("trigger", -before)
            event.add_component(alarm)
    return event
