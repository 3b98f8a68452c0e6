"""``python manage.py send_reminders [--date YYYY-MM-DD]``: the day's reminders, as the beat task sends them.

Prints one JSON object last: ``{"date": "2027-01-12", "sent": 3, "skipped_already_sent": 0}``.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluation.calendar import FIRST_YEAR, LAST_YEAR, OutsideCalendar
from evaluation.reminders import reminders_send

DATE_FORMAT = "YYYY-MM-DD"


def parse_day(text: str) -> datetime.date:
    """A date written YYYY-MM-DD, within the calendar's years; CommandError saying what is wrong otherwise."""
    text = text.strip()
    try:
        if len(text) != len(DATE_FORMAT):
            raise ValueError
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--date must be a date written {DATE_FORMAT}, such as 2027-01-12, not {text[:40]!r}."
        ) from None
    # The months looked at, and their due dates, must fall within the calendar's years too.
    if not FIRST_YEAR < day.year <= LAST_YEAR:
        raise CommandError(
            f"--date must fall between {FIRST_YEAR + 1} and {LAST_YEAR}, not {day.isoformat()}."
        )
    return day


class Command(BaseCommand):
    help = "Send the reminders of figures due soon and overdue for a day (default today, Europe/London)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help=f"{DATE_FORMAT}; default today.")

    def handle(self, *args, date=None, **options):
        day = parse_day(date) if date is not None else timezone.localdate()
        try:
            told = reminders_send(day)
        except OutsideCalendar as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Reminders for {day:%-d %B %Y}: {told.sent} sent, {told.skipped_already_sent} already sent before."
        )
        self.stdout.write(
            json.dumps(
                {
                    "date": day.isoformat(),
                    "sent": told.sent,
                    "skipped_already_sent": told.skipped_already_sent,
                }
            )
        )
