"""What every layer may use: input parsing, safe redirects, one-time form tokens, mail,
the task queue's upkeep, errors and limits. It imports no feature app."""
