# Wegbilanz for an office server: see README "Run it for your office" and SECURITY.md.
#
#   docker build -t wegbilanz .
#   docker run -d --name wegbilanz -p 127.0.0.1:8501:8501 \
#     -e STREAMLIT_BROWSER_SERVER_ADDRESS=wegbilanz.example.org \
#     -v wegbilanz-data:/var/lib/wegbilanz -v wegbilanz-key:/var/lib/wegbilanz-key \
#     wegbilanz
#
# The app's files belong to root and cannot be written by the user the app runs as; everything
# the app writes goes to the two volumes. Publish the port on the loopback address only and put
# a reverse proxy with TLS (and, until sign-in is built in, the proxy's own sign-in) in front.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The pinned runtime packages first: a change to the code does not reinstall them.
COPY --chown=root:root requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# The app (what .dockerignore leaves: no tests, no databases, no secrets), compiled once here
# because /app is read-only at run time. No one but root may write to it.
COPY --chown=root:root . ./
RUN python -m compileall -q app.py calc ui pages \
    && chmod -R u=rwX,go=rX /app \
    && useradd --system --uid 10001 --create-home --home-dir /home/wegbilanz \
        --shell /usr/sbin/nologin wegbilanz \
    && install -d -o wegbilanz -g wegbilanz -m 0700 /var/lib/wegbilanz /var/lib/wegbilanz-key

# State: the saved work and the loaded data sets (back these up), and the pseudonym key (kept
# apart from the data and from its backups: whoever holds both can test guessed ids).
ENV WEGBILANZ_DB=/var/lib/wegbilanz/wegbilanz.duckdb \
    WEGBILANZ_KEY_FILE=/var/lib/wegbilanz-key/pseudonym.key
VOLUME ["/var/lib/wegbilanz", "/var/lib/wegbilanz-key"]

# Streamlit: listen on all interfaces of the container (the host publishes the port), no
# browser, no file watcher, no telemetry. STREAMLIT_BROWSER_SERVER_ADDRESS is the name people
# type: with it set, Streamlit never asks checkip.amazonaws.com for an external address.
ENV STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_BROWSER_SERVER_ADDRESS=localhost \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

USER wegbilanz
EXPOSE 8501

# Streamlit's own health endpoint; the first start loads the demo data, hence the grace period.
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]

CMD ["python", "-m", "streamlit", "run", "app.py"]
