"""Stream processing: the pure visit-lifecycle core and the Faust edge around it."""
