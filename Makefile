# Kesu: `make run` serves the product on SQLite; `make test` runs the tests.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000

.PHONY: run demo test test-postgres bench lint messages install browser clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Kesu needs $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The browser tests drive Debian's Chromium through Playwright, and screenshots need a CJK
# font; both are installed here when missing.
BROWSER_PACKAGES := chromium chromium-driver fonts-wqy-microhei
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
		&& fc-list :lang=zh 2>/dev/null | grep -q . || { \
		if [ "$$(id -u)" = 0 ]; then \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null \
			|| { apt-get update -q >/dev/null && \
			     DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null; }; \
		else \
			echo "The browser tests need: sudo apt-get install $(BROWSER_PACKAGES)"; exit 1; \
		fi; }

run: $(STAMP)
	$(BIN)/kesu serve --port $(PORT)

demo: $(STAMP)
	$(BIN)/kesu serve --port $(PORT) --demo

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest --create-db -q

test-postgres: $(STAMP) browser
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kesu} $(BIN)/pytest --create-db -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --add-location file \
		--ignore ".venv/*" --ignore "var/*" --ignore "tests/*" --ignore "bench/*"
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore ".venv/*"

clean:
	rm -rf $(VENV) var
