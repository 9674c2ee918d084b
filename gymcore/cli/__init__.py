"""The command line, outside the library: one module per command, each a ``register`` that adds
its sub-command and a ``run`` that calls the library. Heavy imports stay inside ``run``, so that a
command that needs no model does not load torch."""
