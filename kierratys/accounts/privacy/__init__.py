"""Who viewed whose personal data: the access log (issue 23), its own app ("privacy").

In the accounts layer so that every page showing someone's contact details, in any app
above, can write to it; exports and anonymising, which read every app, live on top in
kierratys.reports.personal_data and kierratys.reports.anonymise.
"""
