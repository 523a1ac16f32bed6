# Front-end assets and the collectivités referential come from the npm registry.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var
# Pango for WeasyPrint (PDF receipts); the fonts come with the npm assets.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY barometre ./barometre
COPY surveys ./surveys
COPY respondents ./respondents
COPY exports ./exports
RUN pip install --no-cache-dir .
COPY . .
COPY --from=assets /app/node_modules ./node_modules
# collectstatic needs a key to import the settings; it is not the runtime key.
RUN DEBUG=0 SECRET_KEY=build-only-key-not-used-at-runtime-0123456789abcdef \
    python manage.py collectstatic --noinput
RUN useradd --create-home barometre && mkdir -p /app/var && chown -R barometre /app/var
USER barometre
EXPOSE 8000
CMD ["gunicorn", "barometre.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
