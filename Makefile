# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Local runs are development runs; production sets DEBUG=0 and a SECRET_KEY (README).
export DEBUG ?= 1

.PHONY: help run test bench lint venv migrate seed clean

help:
	@echo "make run    - tạo môi trường, cài thư viện, tạo CSDL, nạp dữ liệu mẫu, chạy tại http://$(HOST):$(PORT)/"
	@echo "make test   - chạy toàn bộ bộ kiểm thử (SQLite, hoặc PostgreSQL qua DATABASE_URL)"
	@echo "make bench  - đo hiệu năng (QUICK=1: bản nhanh dưới 1 phút), ghi bench/results.json"
	@echo "make lint   - ruff và kiểm tra migration"

# Reinstall only when requirements.txt changes.
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(PY) manage.py migrate --noinput

seed: migrate
	@$(PY) manage.py shell --no-imports -c "import sys; from units.models import Staff; sys.exit(0 if Staff.objects.exists() else 1)" \
		&& echo "Dữ liệu đã có, bỏ qua bước nạp dữ liệu mẫu." \
		|| $(PY) manage.py seed_demo

run: seed
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks (docs/performance.md): QUICK=1 for the one-minute version; DATABASE_URL for PostgreSQL.
$(VENV)/.bench-installed: bench/requirements.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r bench/requirements.txt
	touch $@

bench: $(VENV)/.bench-installed
	$(PY) -m bench.run $(if $(QUICK),--quick)

lint: venv
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
