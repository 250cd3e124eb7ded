"""The one module that builds an app at import: ``flask --app run ...``."""
from app import create_app

app = create_app()
