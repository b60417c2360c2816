# One process serving the playground; build with `docker build -t stepwise .`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/stepwise
RUN useradd --create-home --uid 10001 stepwise

# Same install as `make run`: the package, editable, from pyproject.toml.
COPY pyproject.toml README.md ./
COPY app ./app
COPY static ./static
COPY templates ./templates
RUN python -m pip install --no-cache-dir -e .

USER stepwise
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
CMD ["stepwise", "--host", "0.0.0.0", "--port", "8000"]
