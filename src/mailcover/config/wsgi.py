from mailcover.config.startup import start

# Whatever server loads this (gunicorn under `mailcover serve`, or another), the process
# is prepared as the `mailcover` commands prepare theirs, and refused on exposed files.
start()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
