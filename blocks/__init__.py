"""StreamField blocks for event reports.

One module per family. This package never imports ``cms``: snippet choosers refer to models by their
``"app_label.ModelName"`` string so that blocks can be reused by any page type.
"""
