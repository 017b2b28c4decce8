"""Date and number formats for the languages Django has none for (Latgalian, ``ltg``).

A site that offers Latgalian sets ``FORMAT_MODULE_PATH = ["cms.formats"]``; Django then reads
``cms.formats.ltg.formats`` and falls back to its own formats for every other language.
"""
