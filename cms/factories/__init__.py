"""Factories for the content of event reports, shared by the demo loader, the benchmark content and the tests.

Per domain: ``media`` (images, documents, cached embeds), ``snippets`` (people, organisations, contact cards,
topics), ``pages`` (report index and report pages), ``blocks`` (one factory per block of ``blocks/``) and
``streams`` (the StreamFields, and building one from a list of children). Built on factory_boy and
wagtail-factories, which is why those two are runtime requirements: ``cms.demo`` uses them.

Import the modules after Django is set up: they refer to the models.
"""
