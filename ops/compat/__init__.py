"""TensorFlow 1 style static graphs on the same graph IR, tracer and interpreter as
``ag.function``: ``graph`` builds (``Graph``, ``placeholder``, the default-graph stack),
``session`` runs (``Session``)."""
