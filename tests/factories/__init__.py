"""Factories per domain: media (images, documents), snippets (people, organisations, contacts), pages."""
