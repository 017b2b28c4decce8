"""StreamField blocks for event reports.

One module per family. This package is the layer below ``cms`` and ``api`` and imports neither (the
``.importlinter`` contracts): choosers name their models in ``targets``, and what the delivery API lends them
(shapes, rich-text expansion) arrives in the serializer context (``services``).
"""
