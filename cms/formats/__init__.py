"""Date and number formats of the admin's languages (``FORMAT_MODULE_PATH = ["cms.formats"]``).

Django then reads ``cms.formats.<language>.formats`` first and falls back to its own formats for whatever a module
here does not set. Latgalian (``ltg``), which Django does not know, gets all its formats here; Latvian, English
and Russian only the day-first input of dates and times that the admin accepts in every language
(``cms.formats.day_first``).
"""
