# The README's two commands, and a few more. Every target installs what it needs.
.PHONY: run dev test bench proto openapi fuzz

run:    ## Build Leadflow and run the demo: 16,000 leads through every service (private PostgreSQL unless DATABASE_URL is set).
	scripts/run.sh

dev:    ## Build Leadflow and keep every service running until Ctrl-C.
	scripts/run.sh --directory .leadflow/postgres

test:   ## The whole test suite, with a throwaway PostgreSQL cluster.
	scripts/test.sh

bench:  ## The bus benchmark (release build): raw libzmq against the envelope path.
	scripts/deps.sh
	. scripts/swift-env.sh && swift run -c release leadflow bench bus

proto:  ## Regenerate Sources/LeadflowProto/Generated from proto/.
	scripts/generate-proto.sh

openapi: ## Regenerate Sources/LeadflowAdminAPI/Generated from openapi/admin.yaml.
	scripts/generate-openapi.sh

fuzz:   ## Fuzz every decoder for 30 s each (FUZZ_ARGS="--runs 10000000 subject" for more; docs/fuzzing.md).
	scripts/fuzz.sh $(or $(FUZZ_ARGS),--time 30)
