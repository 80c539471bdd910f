# modkit: `make run` (the demo) and `make test` (everything CI runs). CMake does the building;
# this file only strings the steps together. See README.md.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 60

.PHONY: all run test lint release deps tree build asan unit unit-asan compat vm-test vm-diff fuzz fuzz-smoke bench format clean deb system-test abi-full vm-abi-sample packages-test system-packages-test

all: build

deps:
	@bash scripts/install-deps.sh

tree: deps
	@bash scripts/fetch-tree.sh >/dev/null

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMODKIT_STATIC=ON -DMODKIT_WERROR=ON $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMODKIT_SANITIZE=ON -DMODKIT_WERROR=ON

# Only the unit tests run sanitized, so only they are built.
asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD) -j $(JOBS) modkit_unit libkmod_robust libkmod_diff

# What a packager runs: a Release build (-O3) with the unit tests, warnings as errors here
# (CI), so a distribution's build of it cannot meet a warning CI has not seen.
RELEASE_BUILD ?= build-release
$(RELEASE_BUILD)/build.ninja:
	cmake -S . -B $(RELEASE_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DMODKIT_WERROR=ON

release: deps $(RELEASE_BUILD)/build.ninja
	ninja -C $(RELEASE_BUILD) -j $(JOBS)
	$(RELEASE_BUILD)/modkit_unit --gtest_brief=1

# libFuzzer needs clang; Debian 12's clang 14 cannot compile libstdc++ 12's <expected>, so
# clang 16 is used, told that its concepts support is complete enough for it.
$(FUZZ_BUILD)/build.ninja:
	CC=clang-16 CXX=clang++-16 cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DMODKIT_FUZZ=ON -DMODKIT_TESTS=OFF -DMODKIT_WERROR=OFF \
	  "-DCMAKE_CXX_FLAGS=-D__cpp_concepts=202002L -Wno-macro-redefined"

fuzz-build: deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD) -j $(JOBS)

unit: build
	$(BUILD)/modkit_unit --gtest_brief=1

unit-asan: asan
	$(ASAN_BUILD)/modkit_unit --gtest_brief=1

compat: build tree
	bash tests/compat/run-all.sh $(BUILD)

# modprobe/insmod/rmmod/lsmod/depmod against a real Debian kernel booted in QEMU
# (tests/vm/run.sh; TOOLS=kmod validates the scenarios with Debian's kmod instead).
vm-test: build tree
	bash tests/vm/run.sh $(BUILD)

# Every VM scenario with Debian's kmod, then with modkit, and their transcripts compared.
vm-diff: build tree
	TOOLS=both bash tests/vm/run.sh $(BUILD)

# The Debian packages (packaging/build-deb.sh), lintian-clean: $(BUILD)/deb/modkit_<version>_<arch>.deb
# and libkmod2-modkit_<version>_<arch>.deb (modkit's libkmod.so.2 in libkmod2's place).
deb: build
	bash packaging/build-deb.sh $(BUILD)

# A real Debian 12 system booted in QEMU, stock (kmod, DKMS), with the modkit package, and with
# modkit and libkmod2-modkit (no package of kmod's), compared (tests/system/run.sh; the image is
# built once into /var/cache/modkit/system-image). Not in `test`: see the timing note there.
system-test: deb
	bash tests/system/run.sh $(BUILD)

# `dkms mkbmdeb`, `mkdeb`, `mkdsc` and `mkrpm` on this host with v4l2loopback-dkms for two kernels
# (tests/packages/host.sh: dpkg-deb, lintian, rpm --root, a failing build; about 3 minutes).
packages-test: build tree
	bash tests/packages/host.sh $(BUILD)

# Those binary packages installed, upgraded and removed in the booted Debian of system-test
# (tests/packages/system.sh: two TCG boots, about 15 minutes).
system-packages-test: build tree
	bash tests/packages/system.sh $(BUILD)

# Everything CI runs: the format and layering checks, warnings-as-errors build, unit tests
# (plain and sanitized), a packager's Release build with its unit tests, the differential tests
# against kmod and DKMS on the real Debian tree, the QEMU scenarios and a short fuzz smoke run.
test: lint build unit unit-asan release compat vm-test fuzz-smoke

fuzz-smoke: fuzz-build
	bash tests/fuzz/run.sh $(FUZZ_BUILD) 10

fuzz: fuzz-build
	bash tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# The ABI checks on the whole 6.12 and 7.2 trees (tests/compat/abi.sh samples them).
abi-full: build tree
	BUILD=$(BUILD) bash tests/compat/full/abi-generations.sh

# 200 random modules of 6.1.0-47's tree loaded into 6.1.0-50 in the VM, each against
# `abi check`'s prediction (VM_SAMPLE_SEED picks them; a few minutes under TCG).
vm-abi-sample: build tree
	VM_KERNELS=bookworm bash tests/vm/run.sh $(BUILD) tests/vm/sample/abi-sample.sh

bench: build tree
	bash bench/run.sh $(BUILD)

run: build tree
	bash scripts/demo.sh $(BUILD)

FORMAT_FILES = $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'src/*.h' 'src/*.c' 'tests/*.cpp' 'tests/*.hpp' 'tests/libkmod/*.c' 'tests/libkmod/*.h' 'bench/*.cpp' 'bench/*.c')
# (Kernel-module sources under tests/ are kernel code, in the kernel's own style.)

format:
	clang-format -i $(FORMAT_FILES)

# The tree is formatted as .clang-format says (the check CI runs), and every include follows
# the layering of docs/architecture.md.
lint: deps
	clang-format --dry-run --Werror $(FORMAT_FILES)
	python3 scripts/check-layers.py

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
