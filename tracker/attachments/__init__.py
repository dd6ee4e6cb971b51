"""Attachments (bijlagen) on actions, pilots and meetings: checked by content, stored
outside the web root under random names, served as downloads to who sees the parent."""
