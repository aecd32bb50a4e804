"""Legal pages every public-sector service must have (issue 23): an accessibility statement
and a privacy notice per organisation, in Finnish, Swedish and English, and the
accessibility feedback channel whose messages a coordinator answers within 14 days."""
