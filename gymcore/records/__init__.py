"""Records: the saved form of an assessment, the history that keeps them, and the reports."""
