"""`pantau report`: the SKM survey and the service-standard evaluation of an office and period."""
