"""The Start page: a home per role (portfolio, team work, meetings, the beheerder's queue)."""
