"""The clients app's own timeline sources (contacts, notes, documents, status changes)."""
