# The README's two commands, and a few more. Every target installs what it needs.
.PHONY: run test bench proto

run:    ## Build and run Leadflow locally (private PostgreSQL unless DATABASE_URL is set).
	scripts/run.sh

test:   ## The whole test suite, with a throwaway PostgreSQL cluster.
	scripts/test.sh

bench:  ## The bus benchmark (release build): raw libzmq against the envelope path.
	scripts/deps.sh
	. scripts/swift-env.sh && swift run -c release leadflow bench bus

proto:  ## Regenerate Sources/LeadflowProto/Generated from proto/.
	scripts/generate-proto.sh
