# The README's two commands are `make serve` and `make test`; both set up everything from nothing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test bench bench-scale soak lint install clean screenshots ui-paint

install: $(STAMP)

# One install at a time: `make serve` and `make test` started together on a fresh clone share it (the second waits
# on a lock for the first, then finds it done) instead of racing into a half-made venv.
$(STAMP): pyproject.toml
	@$(PYTHON) -c "$$LOCKED_INSTALL" "$(VENV)" "$(PYTHON)"

serve: $(STAMP)
	$(BIN)/localconnect serve --host 127.0.0.1 --port 4599 --store sqlite --data-dir ./.localconnect

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Every operation's cost at NUMBERS numbers against its cost at 1k: SQLite, and PostgreSQL when
# LOCALCONNECT_TEST_POSTGRES_URL is set (README, Scale). SCALE_ARGS="--rss" adds a server's peak RSS per call.
NUMBERS ?= 100000
bench-scale: $(STAMP)
	$(BIN)/python bench/scale.py --numbers $(NUMBERS) $(SCALE_ARGS)

# 100,000 hostile requests (SOAK_ARGS="--requests 5000" for a short one); exit status 1 if a bound is missed.
soak: $(STAMP)
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

# The dashboard's screenshots in docs/ (README, Dashboard), taken by its browser tests; needs chromium.
screenshots: $(STAMP)
	LOCALCONNECT_UI_DOCS=1 $(BIN)/python -m pytest -q tests/ui

# The dashboard's first paint and the state view's calls at UI_NUMBERS numbers (README, Dashboard).
UI_NUMBERS ?= 1000000
ui-paint: $(STAMP)
	$(BIN)/python tests/ui/measure_first_paint.py --numbers $(UI_NUMBERS)

lint: $(STAMP)
	$(BIN)/python -m ruff check src tests bench

clean:
	rm -rf $(VENV) $(VENV).lock .localconnect .pytest_cache .hypothesis

# Python rather than flock(1), which macOS lacks. Progress: one line per package pip fetches.
define LOCKED_INSTALL
import fcntl, os, subprocess, sys
venv, python = sys.argv[1], sys.argv[2]
stamp, venv_python = os.path.join(venv, ".installed"), os.path.join(venv, "bin", "python")
lock = open(venv.rstrip("/") + ".lock", "w")
try:
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    print(f"waiting for the install into {venv} that another make is running ...", flush=True)
    fcntl.flock(lock, fcntl.LOCK_EX)
if os.path.exists(stamp) and os.path.getmtime(stamp) >= os.path.getmtime("pyproject.toml"):
    sys.exit(0)
has_pip = os.path.exists(venv_python) and subprocess.call(
    [venv_python, "-m", "pip", "--version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0
if not has_pip:
    print(f"creating {venv} with {python} ...", flush=True)
    subprocess.check_call([python, "-m", "venv", "--clear", venv])
print(f"installing localconnect and its test dependencies into {venv} (about 30 s the first time) ...", flush=True)
pip = subprocess.Popen([venv_python, "-m", "pip", "install", "--disable-pip-version-check", "-e", ".[test]"],
                       stdout=subprocess.PIPE, text=True)
for line in pip.stdout:
    if line.startswith(("Collecting", "Installing collected", "Successfully installed")):
        print("  " + line.rstrip()[:150], flush=True)
if pip.wait() != 0:
    sys.exit(f"pip install into {venv} failed (exit {pip.returncode}); its messages are above")
open(stamp, "w").close()
print(f"{venv} is ready", flush=True)
endef
export LOCKED_INSTALL
