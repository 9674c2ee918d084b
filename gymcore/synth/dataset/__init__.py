"""SynthGym datasets and demo clips written in the published layout."""
