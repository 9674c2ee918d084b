"""Motion programs of SynthGym's body: squat, lunge, single-leg deadlift, walking, and the faults."""
