"""Dates and times in one format in every language (settings.FORMAT_MODULE_PATH).

The city's format, 1.12.2026 and 14:30, in Finnish, Swedish and English alike, so a date
reads the same on every page and in every mail, whatever language the reader chose.
Templates use the named formats (`|date:"SHORT_DATE_FORMAT"`). Numbers keep each
language's own separators (Django's locale formats, which fill in what is not set here).
"""

DATE = "j.n.Y"
TIME = "H:i"
DATETIME = f"{DATE} {TIME}"
MONTH_DAY = "j.n."
# What people may type (ISO, as date and time inputs send, is always accepted too).
DATE_INPUT = ["%d.%m.%Y", "%d.%m.%y"]
TIME_INPUT = ["%H:%M", "%H:%M:%S", "%H.%M"]
DATETIME_INPUT = [f"{d} {t}" for d in DATE_INPUT for t in TIME_INPUT]

# The names Django reads from kierratys.formats.<language>.formats, the same for each.
DATE_FORMAT = SHORT_DATE_FORMAT = DATE
TIME_FORMAT = TIME
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = DATETIME
MONTH_DAY_FORMAT = MONTH_DAY
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = DATE_INPUT
TIME_INPUT_FORMATS = TIME_INPUT
DATETIME_INPUT_FORMATS = DATETIME_INPUT
