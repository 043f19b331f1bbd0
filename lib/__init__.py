"""Small helpers at the bottom of the stack: they import Django, never a project app."""
