"""Rendering SynthGym's body with two cameras, and checking that MediaPipe reads the renders."""
