"""Working days: Finnish public holidays (the maintained `holidays` library) are closed."""

from datetime import date, timedelta

import holidays


def is_holiday(day: date) -> bool:
    return day in holidays.Finland(years=day.year)


def working_days(start: date, days: int):
    for offset in range(days):
        day = start + timedelta(days=offset)
        if not is_holiday(day):
            yield day
