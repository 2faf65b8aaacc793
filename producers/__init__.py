"""Ways into pantau for counter systems: the Python client, the HTTP gateway, replay, simulate."""
