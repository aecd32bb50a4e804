"""Accounts and organisation: users, departments, units, roles, sign-up and sign-in.

Its models keep the app label `kierratys` (kierratys/models.py imports them), so the user
model and its migrations stay as they were.
"""
