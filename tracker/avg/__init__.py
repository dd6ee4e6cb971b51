"""AVG duties: the register of personal data, export and erasure of one person, retention.

``register`` decides which columns hold personal data and reads ``docs/privacy.md``;
``export`` collects one person's rows into a zip; ``erasure`` pseudonymises a person
everywhere, history included; ``tasks`` holds the retention job for external invitees.
"""
