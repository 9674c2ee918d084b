"""The one engine for work made of independent items (SynthGym participants, demo clips, batch
assessments): ``gymcore.parallel.engine.run_jobs``."""
