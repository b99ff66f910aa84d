# The front door. `make test` and `make demo` are all a new user types; every target first
# installs any missing Debian package (scripts/deps.sh).
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build test demo bench clean sanitize

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --repeat until-pass:2

demo: build
	bash scripts/demo.sh $(BUILD)/picket

bench: build
	bash bench/run.sh $(BUILD)/picket
	bash bench/render.sh $(BUILD)/picket
	bash bench/deploy.sh $(BUILD)/picket 10 50

sanitize:
	$(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DPICKET_SANITIZE=ON"

clean:
	rm -rf $(BUILD) build-asan
