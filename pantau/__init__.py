"""pantau: event-driven service-level monitoring for public-service offices."""
