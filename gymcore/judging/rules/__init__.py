"""Interpretable rules over MediaPipe landmarks: one measurement, threshold and evidence per
criterion (the model named "rules"). ``catalogue`` lists every exercise's rules, ``config`` their
thresholds and sources, ``model`` the RulesModel that applies them."""
