# Two commands for a fresh machine: `make run` (the whole pipeline on the shipped sample) and
# `make test`. Each one creates the virtual environment if missing, installs exactly the lock
# (requirements/lock.txt: every package at one version, with hashes), then the project itself,
# and registers the notebook kernel first. `make lock` regenerates the lock (docs/environment.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements/lock.txt
SOURCE ?= data_samples
OUT    ?= outputs

.PHONY: run test setup lock lock-upgrade lab lint format clean bench

setup: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required (AWS Glue 5.1 runs 3.11); found " + sys.version.split()[0]' \
		|| { echo "Install Python 3.11, or use conda: conda env create -f environment.yml"; exit 1; }
	@command -v java >/dev/null 2>&1 || [ -n "$$JAVA_HOME" ] || { \
		echo "Java 17 is required by Spark (AWS Glue 5.1 runs Java 17) and was not found."; \
		echo "  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless"; \
		echo "  macOS: brew install openjdk@17    conda: conda env create -f environment.yml"; \
		exit 1; }
	@echo "== setting up $(VENV) (the locked packages, the project in editable mode, the notebook kernel)"
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --progress-bar off --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --progress-bar off --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name movie-pipeline --display-name "Python 3.11 (movie-pipeline)" >/dev/null
	$(BIN)/nbstripout --install >/dev/null 2>&1 || true
	@touch $(STAMP)

# Regenerate the lock from pyproject.toml (+ requirements/tools.in, under requirements/constraints.txt)
# for Python 3.11, every platform: pins that still satisfy are kept. `make lock-upgrade` takes the
# newest release of everything. Either way, run `make test` after: the lock is what is tested.
LOCK_ARGS := pyproject.toml requirements/tools.in --extra dev \
	--constraint requirements/constraints.txt --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" --output-file $(LOCK)

lock:
	@[ -x $(BIN)/uv ] || $(MAKE) setup
	$(BIN)/uv pip compile --quiet $(LOCK_ARGS)

lock-upgrade:
	@[ -x $(BIN)/uv ] || $(MAKE) setup
	$(BIN)/uv pip compile --quiet --upgrade $(LOCK_ARGS)

# The walkthrough notebooks, in order, with papermill: executed copies and HTML in
# $(OUT)/notebooks, charts in $(OUT)/charts, results in $(OUT)/results, the lake in $(OUT)/lake.
run: $(STAMP)
	$(BIN)/movie-pipeline walkthrough --source $(SOURCE) --outputs $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest

# The walkthrough in JupyterLab: the notebooks name the project's kernel (registered by setup),
# and new notebooks get it too.
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks \
		--MappingKernelManager.default_kernel_name=movie-pipeline

lint: $(STAMP)
	$(BIN)/ruff check lib tests benchmarks notebooks
	$(BIN)/ruff format --check lib tests benchmarks notebooks

format: $(STAMP)
	$(BIN)/ruff format lib tests benchmarks notebooks
	$(BIN)/ruff check --fix lib tests benchmarks notebooks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_etl.py

clean:
	rm -rf $(OUT)/lake $(OUT)/results $(OUT)/charts $(OUT)/notebooks
