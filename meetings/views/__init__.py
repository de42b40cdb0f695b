"""Meeting pages. Each module owns a concern; ``meetings/urls.py`` gathers their URLs."""
