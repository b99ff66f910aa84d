# The front door. `make test` and `make demo` are all a new user types; every target first
# installs any missing Debian package (scripts/deps.sh).
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build test demo bench clean sanitize fuzz install deb

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --repeat until-pass:2

# The binary, man pages and completions under PREFIX (bin/, share/man/man1/,
# share/bash-completion/completions/, share/zsh/vendor-completions/); DESTDIR is honoured.
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# The Debian package, $(BUILD)/picket_VERSION_ARCH.deb (CPack; see cmake/package.cmake).
deb: build
	cd $(BUILD) && cpack -G DEB

demo: build
	bash scripts/demo.sh $(BUILD)/picket

bench: build
	bash bench/run.sh $(BUILD)/picket
	bash bench/render.sh $(BUILD)/picket
	bash bench/deploy.sh $(BUILD)/picket 10 50
	bash bench/status.sh $(BUILD)/picket 50

# The whole suite again in build-asan under AddressSanitizer (leaks too) and
# UndefinedBehaviorSanitizer; every finding stops the process (-fno-sanitize-recover=all).
# The real-network lab runs once, in `make test` (its minutes buy nothing new under ASan: the
# deploy paths it drives are the ones the sshd tests run here).
# tests/sanitize-lsan.supp: memory libssh2 keeps after a connection dies mid-upload.
sanitize:
	ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitize-lsan.supp \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DPICKET_SANITIZE=ON -DPICKET_LAB=OFF"

# libFuzzer targets (tests/fuzz/), built with clang-14 + ASan + UBSan in build-fuzz and run
# for FUZZ_SECONDS each.
FUZZ_SECONDS ?= 60
fuzz: deps
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DPICKET_FUZZ=ON -DPICKET_TESTS=OFF
	cmake --build build-fuzz -j $(JOBS) --target fuzz_targets
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh build-fuzz

clean:
	rm -rf $(BUILD) build-asan build-fuzz
