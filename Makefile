# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run token test lint format bench soak package deploy openapi fuzz vendor vendor-axe

# Creates .venv if missing and (re)installs whenever a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade 'pip<26.3'  # chalice 1.34 packages with pip<26.3
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# The API on http://127.0.0.1:8000 with an embedded DynamoDB; DEMO=1 seeds a demo association.
run: $(STAMP)
	$(PY) -m local.runner $(if $(DEMO),--demo)

# make token SUB=alice [NAME="Alice M."] [EMAIL=alice@example.org] [VERIFIED=1] [TTL=3600]
token: $(STAMP)
	@$(PY) -m local.devtoken --sub "$(SUB)" \
		$(if $(NAME),--name "$(NAME)") $(if $(EMAIL),--email "$(EMAIL)") \
		$(if $(VERIFIED),--verified) $(if $(TTL),--ttl "$(TTL)")

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Each test file runs whole, in order, on one of as many workers as there are cores.
test: lint
	$(PY) -m pytest -n auto --dist loadfile

# schemathesis over every operation, as every kind of caller: a few thousand cases (make test
# runs the same with 3 examples per operation).
fuzz: $(STAMP)
	HUB_FUZZ_EXAMPLES=30 $(PY) -m pytest tests/fuzz

# The OpenAPI document the code generates, written to openapi.json, and the index of routes
# the app loads its route modules by, chalicelib/api/routes.json (commit both with the change).
openapi: $(STAMP)
	$(PY) -m local.openapi openapi.json

# The web client's one library (web/): htm's standalone Preact build, one ES module bundling
# Preact, its hooks and htm with no bare import, from the npm registry at a pinned version
# checked against its recorded integrity. Commit web/vendor/htm-preact/ afterwards.
HTM_VERSION   := 3.1.1
HTM_INTEGRITY := sha512-983Vyg8NwUE7JkZ6NmOqpCZ+sh1bKv2iYTlUkzlWmA5JD2acKoxd4KVxbMmxX/85mtfdnDmTFoNKcg5DGAvxNQ==
HTM_DIR       := web/vendor/htm-preact

.PHONY: vendor-web
vendor-web:
	rm -rf build/vendor-web && mkdir -p build/vendor-web
	npm pack --silent --pack-destination build/vendor-web htm@$(HTM_VERSION) >/dev/null
	test "sha512-$$(openssl dgst -sha512 -binary build/vendor-web/htm-$(HTM_VERSION).tgz | base64 -w0)" \
		= "$(HTM_INTEGRITY)"
	tar -xzf build/vendor-web/htm-$(HTM_VERSION).tgz -C build/vendor-web
	rm -rf $(HTM_DIR) && mkdir -p $(HTM_DIR)
	cd build/vendor-web/package && cp preact/standalone.module.js LICENSE package.json $(CURDIR)/$(HTM_DIR)/
	@echo "$(HTM_DIR): htm $(HTM_VERSION) (preact/standalone.module.js)"

# The renderer of the API reference (GET /v1/docs): Swagger UI's prebuilt files from the npm
# registry, at a pinned version checked against its recorded integrity (`npm pack` only
# downloads: no install script runs). Commit chalicelib/api/docs/swagger-ui/ afterwards.
SWAGGER_UI_VERSION   := 5.35.0
SWAGGER_UI_INTEGRITY := sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ==
SWAGGER_UI_DIR       := chalicelib/api/docs/swagger-ui
SWAGGER_UI_FILES     := swagger-ui-bundle.js swagger-ui.css package.json LICENSE NOTICE \
                        swagger-ui-bundle.js.LICENSE.txt

vendor:
	rm -rf build/vendor && mkdir -p build/vendor
	npm pack --silent --pack-destination build/vendor swagger-ui-dist@$(SWAGGER_UI_VERSION) >/dev/null
	test "sha512-$$(openssl dgst -sha512 -binary build/vendor/swagger-ui-dist-$(SWAGGER_UI_VERSION).tgz | base64 -w0)" \
		= "$(SWAGGER_UI_INTEGRITY)"
	tar -xzf build/vendor/swagger-ui-dist-$(SWAGGER_UI_VERSION).tgz -C build/vendor
	rm -rf $(SWAGGER_UI_DIR) && mkdir -p $(SWAGGER_UI_DIR)
	cd build/vendor/package && cp $(SWAGGER_UI_FILES) $(CURDIR)/$(SWAGGER_UI_DIR)/
	@echo "$(SWAGGER_UI_DIR): swagger-ui-dist $(SWAGGER_UI_VERSION)"

# axe-core, the accessibility checker the browser tests run on every screen of the web client
# (tests/integration/web.py): its prebuilt axe.min.js from the npm registry, at a pinned
# version checked against the registry's integrity and the recorded sha256 of the file.
# Commit tests/integration/vendor/axe-core/ afterwards.
AXE_CORE_VERSION   := 4.14.1
AXE_CORE_INTEGRITY := sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
AXE_CORE_SHA256    := 29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c
AXE_CORE_DIR       := tests/integration/vendor/axe-core

vendor-axe:
	rm -rf build/vendor-axe && mkdir -p build/vendor-axe
	npm pack --silent --pack-destination build/vendor-axe axe-core@$(AXE_CORE_VERSION) >/dev/null
	test "sha512-$$(openssl dgst -sha512 -binary build/vendor-axe/axe-core-$(AXE_CORE_VERSION).tgz | base64 -w0)" \
		= "$(AXE_CORE_INTEGRITY)"
	tar -xzf build/vendor-axe/axe-core-$(AXE_CORE_VERSION).tgz -C build/vendor-axe
	test "$$(sha256sum build/vendor-axe/package/axe.min.js | cut -d' ' -f1)" = "$(AXE_CORE_SHA256)"
	rm -rf $(AXE_CORE_DIR) && mkdir -p $(AXE_CORE_DIR)
	cd build/vendor-axe/package && cp axe.min.js LICENSE LICENSE-3RD-PARTY.txt $(CURDIR)/$(AXE_CORE_DIR)/
	@echo "$(AXE_CORE_DIR): axe-core $(AXE_CORE_VERSION)"

# Figures, not tests: DynamoDB calls and capacity units per request; what a ballot costs
# and how many ballots per second one debate can take; the Lambda bundle; each function's
# import against its stack and a fresh process's first answer; the web client's first
# screen (weight, paint, API requests per navigation) in headless Chromium; the CPU an
# idle `make run` uses.
bench: package
	$(PY) -m bench.coldstart --bundle build/deployment.zip
	$(PY) -m bench.requests
	$(PY) -m bench.ballots
	$(PY) -m bench.notifications
	$(PY) -m bench.privacy
	$(PY) -m bench.bundle build/deployment.zip
	$(PY) -m bench.web
	$(PY) -m bench.idle

# `make run` soaked: 20,000 writes from 200 parallel clients on loopback; prints the answers
# by status, the runner's memory, write latency and each tally against a recount.
soak: $(STAMP)
	$(PY) -m bench.soak

# The deployable template and bundle in build/ (sam.yaml, deployment.zip), checked by cfn-lint,
# and the web client as the distribution serves it (build/web: a copy of web/).
package: $(STAMP)
	$(PY) -m infra.package build

# Deploys build/ with the AWS CLI: the stack, then build/web and its config.json to the stack's
# bucket and an invalidation; the README's "Deploying" section says what to set first.
deploy: package
	infra/deploy.sh
