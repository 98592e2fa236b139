# vfpa: build, run and test. `make help` lists the targets.
#
# Site settings (override on the command line, e.g. `make PETSC_PC=PETSc`):
PETSC_PC      ?= petsc
HDF5_PC       ?= hdf5-openmpi
CC            := mpicc
CFLAGS        ?= -O3 -g -march=native
PYTHON        ?= /usr/bin/python3
MPIEXEC       ?= mpirun
NP            ?= 2

# Open MPI refuses root and more ranks than cores unless told otherwise.
MPIEXEC_FLAGS ?= $(if $(shell $(MPIEXEC) --version 2>/dev/null | grep -i 'open mpi'),--oversubscribe)
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
export MPIEXEC MPIEXEC_FLAGS PYTHON

PKG_CFLAGS := $(shell pkg-config --cflags $(PETSC_PC) $(HDF5_PC) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PETSC_PC) $(HDF5_PC) 2>/dev/null)
ALL_CFLAGS  = -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -fno-trapping-math $(CFLAGS) -Iinclude $(PKG_CFLAGS) -MMD -MP
LDLIBS      = $(PKG_LIBS) -lp4est -lsc -lfftw3 -lm

LIB_SRC   := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ   := $(LIB_SRC:src/%.c=build/%.o)
UNIT_SRC  := $(wildcard tests/unit/*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=build/tests/%)

DEB_PACKAGES := gcc make pkg-config petsc-dev libhdf5-openmpi-dev libp4est-dev libfftw3-dev openmpi-bin libopenmpi-dev \
                hdf5-tools python3 python3-numpy python3-h5py python3-matplotlib python3-scipy \
                slurm-wlm munge

.PHONY: all deps run test unit verify bench readme clean help check-build-deps print-cflags

all: bin/vfpa

help:
	@echo "make deps   install the Debian packages vfpa needs (as root), or say which are missing"
	@echo "make        build bin/vfpa"
	@echo "make run    deps, build, run input/relax1d.opts on $(NP) ranks"
	@echo "make test   build and run every test; ends with 'N passed, N failed'"
	@echo "make verify run the verification studies; writes tests/verify/report/REPORT.md"
	@echo "make bench  measure speed, scaling and memory; writes tests/bench/RESULTS.md"
	@echo "make readme regenerate README.md's option and attribute tables from bin/vfpa"
	@echo "make clean  remove build/ and bin/"

check-build-deps:
	@pkg-config --exists $(PETSC_PC) $(HDF5_PC) || { \
	  echo "vfpa: pkg-config cannot find '$(PETSC_PC)' and '$(HDF5_PC)'."; \
	  echo "      Run 'make deps', or point PKG_CONFIG_PATH / PETSC_PC / HDF5_PC at your PETSc and parallel HDF5."; \
	  exit 1; }

build/%.o: src/%.c | check-build-deps
	@mkdir -p build
	$(CC) $(ALL_CFLAGS) -c $< -o $@

build/libvfpa.a: $(LIB_OBJ)
	ar rcs $@ $^

bin/vfpa: build/main.o build/libvfpa.a
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/tests/%: tests/unit/%.c build/libvfpa.a | check-build-deps
	@mkdir -p build/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< build/libvfpa.a $(LDLIBS)

unit: $(UNIT_BIN)

build/bench/bench: tests/bench/bench.c build/libvfpa.a | check-build-deps
	@mkdir -p build/bench
	$(CC) $(ALL_CFLAGS) -o $@ $< build/libvfpa.a $(LDLIBS)

# Installs what is missing when root with apt; otherwise names it and stops.
deps:
	@if command -v dpkg-query >/dev/null 2>&1; then \
	  missing=""; \
	  for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	  done; \
	  if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "deps: installing$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null && echo "deps: done"; \
	    exit $$?; \
	  fi; \
	  echo "deps: missing Debian packages:$$missing"; \
	  echo "      install them with: sudo apt-get install$$missing"; \
	  exit 1; \
	fi; \
	ok=1; \
	pkg-config --exists $(PETSC_PC) || { echo "deps: PETSc >= 3.18 with HDF5 (pkg-config name '$(PETSC_PC)') not found"; ok=0; }; \
	pkg-config --exists $(HDF5_PC) || { echo "deps: parallel HDF5 (pkg-config name '$(HDF5_PC)') not found"; ok=0; }; \
	command -v mpicc >/dev/null 2>&1 || { echo "deps: an MPI compiler wrapper 'mpicc' is not on PATH"; ok=0; }; \
	echo 'int main(void){return 0;}' | mpicc -x c - -o /dev/null -lp4est -lsc 2>/dev/null || { echo "deps: p4est and libsc (-lp4est -lsc) cannot be linked"; ok=0; }; \
	printf '#include <fftw3.h>\nint main(void){return 0;}\n' | mpicc -x c - -o /dev/null -lfftw3 2>/dev/null || { echo "deps: FFTW 3 (fftw3.h, -lfftw3) not found"; ok=0; }; \
	$(PYTHON) -c "import numpy, h5py, matplotlib, scipy" 2>/dev/null || { echo "deps: $(PYTHON) lacks numpy, h5py, matplotlib or scipy (set PYTHON=...)"; ok=0; }; \
	if [ $$ok = 1 ]; then echo "deps: all found"; exit 0; fi; \
	echo "      On a cluster, load modules that provide them (e.g. 'module load petsc hdf5/parallel p4est python')"; \
	echo "      or install with Spack: 'spack install petsc+hdf5+mpi p4est py-h5py py-matplotlib py-scipy'."; \
	exit 1

run: deps
	@$(MAKE) --no-print-directory all
	$(MPIEXEC) $(MPIEXEC_FLAGS) -n $(NP) bin/vfpa -options_file input/relax1d.opts
	@echo "Results: output/relax1d/ (diagnostics.csv, diagnostics.h5, snap_*.h5, snapshots.xdmf)"

test: all unit build/bench/bench
	$(PYTHON) tests/run.py

verify: all
	$(PYTHON) tests/verify/verify.py

bench: all build/bench/bench
	$(PYTHON) tests/bench/bench.py

print-cflags:
	@echo "$(CC) $(CFLAGS) -fno-trapping-math"

readme: all
	$(PYTHON) tests/docs/readme.py --write

clean:
	rm -rf build bin

-include $(LIB_OBJ:.o=.d) build/main.d $(UNIT_BIN:=.d)
