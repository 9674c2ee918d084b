"""Recognition: which of the three exercises the clips show, by a pose rule or the classifier."""
