"""Meeting documents: numbered papers per event, revisions, the List of Documents and the
annotated agenda."""
