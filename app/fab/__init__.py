"""The FAB adapter: the data interface, filters and permission names that
the views, the REST API and the export service all use. It imports nothing
from ``app.views`` or ``app.api``."""
