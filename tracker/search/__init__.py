"""Search across actions, comments, pilots, status points, milestones, meetings and people."""
