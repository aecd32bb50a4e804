"""Announcements (issue 21): coordinators' notices in Finnish, Swedish and English, for a
time and an audience, shown on top of every page until dismissed and live to open pages."""
