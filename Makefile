# lotbackup: `make` builds, `make check` tests, `make demo` shows it working.
PKGS     = libpq zlib libarchive libgit2 jansson libcrypto libdeflate libcurl
PKGS    += expat
PKGS    += libsodium
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O2 -g
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
ALL_CFLAGS = -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude $(PKG_CFLAGS) $(CFLAGS)
LDLIBS  += $(PKG_LIBS) -lpthread -lm
BUILD   ?= build
BIN     ?= lotbackup

SRCS      = $(wildcard src/*.c src/*/*.c)
HDRS      = $(wildcard include/*/*.h)
OBJS      = $(SRCS:src/%.c=$(BUILD)/%.o)
LIB_OBJS  = $(filter-out $(BUILD)/main.o,$(OBJS))
UNIT_SRCS = $(wildcard tests/unit/test-*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check demo install asan valgrind clean deps unit-tests lint-man bench fuzz check-regression

all: $(BIN)

$(BIN): $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/%.o: src/%.c $(HDRS) | $(BUILD)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) $(HDRS) tests/unit/unit.h | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

$(BUILD):
	mkdir -p $(BUILD)

unit-tests: $(UNIT_BINS)

deps:
	@tests/setup/install-deps.sh

# Dependencies first, then a fresh make so pkg-config sees them.
check: deps
	@$(MAKE) --no-print-directory all unit-tests
	@LB_BIN=$(CURDIR)/lotbackup LB_UNIT_DIR=$(CURDIR)/$(BUILD)/tests tests/run.sh

# PostgreSQL's regression database (its suite built from the server's
# source, cached) dumped, loaded both ways and compared with pg_dump's
# copy, then checked by verify --restore: tests/setup/regression-db.sh.
# Minutes on a first run; not in check.
check-regression: deps
	@$(MAKE) --no-print-directory all
	@LB_BIN=$(CURDIR)/lotbackup tests/setup/regression-db.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@LB_BIN=$(CURDIR)/lotbackup tests/demo/demo.sh

# AddressSanitizer + UndefinedBehaviorSanitizer build, then the whole suite on it.
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan BIN=build-asan/lotbackup \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" all unit-tests
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	    LB_BIN=$(CURDIR)/build-asan/lotbackup LB_UNIT_DIR=$(CURDIR)/build-asan/tests tests/run.sh

# Memcheck on one db, one full and a verify of both, on a throwaway cluster
# (tests/integration/150-valgrind.sh; about 20 s, so make check runs it too).
valgrind: deps
	@$(MAKE) --no-print-directory all
	@LB_ONLY=valgrind LB_BIN=$(CURDIR)/lotbackup tests/run.sh

# Speed and memory against pg_dump, gzip and psql, side by side (SCALE=1 RUNS=3).
bench: deps
	@$(MAKE) --no-print-directory all
	@LB_BIN=$(CURDIR)/lotbackup tests/bench/run.sh

# libFuzzer targets for every parser of untrusted input, each for FUZZ_SECONDS
# or FUZZ_RUNS executions, whichever comes first (-1: no limit); e.g.
# make fuzz FUZZ_SECONDS=1800 FUZZ_RUNS=1000000 FUZZ_TARGETS=full-archive.
# New inputs go to build-fuzz/; the committed seeds stay as they are. The
# targets' own messages are silenced (-close_fd_mask=2); findings still show.
FUZZ_TARGETS = sql-split sql-classify copy-data dotenv manifest ignore full-archive scan
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= -1
fuzz:
	@tests/setup/install-deps.sh clang libclang-rt-14-dev
	@$(MAKE) --no-print-directory deps
	@mkdir -p build-fuzz
	@for t in $(FUZZ_TARGETS); do \
	    clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Iinclude $(PKG_CFLAGS) \
	        tests/fuzz/fuzz-$$t.c $(filter-out src/main.c,$(SRCS)) $(PKG_LIBS) -lpthread -o build-fuzz/fuzz-$$t || exit 1; \
	    mkdir -p build-fuzz/corpus-$$t; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS) s or $(FUZZ_RUNS) runs"; \
	    build-fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -runs=$(FUZZ_RUNS) -print_final_stats=1 -close_fd_mask=2 -artifact_prefix=build-fuzz/ \
	        build-fuzz/corpus-$$t tests/fuzz/corpus/$$t >build-fuzz/fuzz-$$t.log 2>&1; rc=$$?; \
	    grep -E 'stat::(number_of_executed_units|average_exec_per_sec)' build-fuzz/fuzz-$$t.log; \
	    if [ $$rc -ne 0 ]; then tail -n 60 build-fuzz/fuzz-$$t.log; echo "fuzz: $$t FAILED (exit $$rc), see build-fuzz/fuzz-$$t.log"; exit 1; fi; \
	done

EXAMPLES = man/examples/lotbackup.crontab man/examples/lotbackup.service man/examples/lotbackup.timer \
           man/examples/lotbackup-weekly.service man/examples/lotbackup-weekly.timer

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/doc/lotbackup/examples $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/lotbackup
	install -m 0644 man/lotbackup.1 $(DESTDIR)$(PREFIX)/share/man/man1/lotbackup.1
	install -m 0644 $(EXAMPLES) $(DESTDIR)$(PREFIX)/share/doc/lotbackup/examples/
	install -m 0644 man/completion/lotbackup.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/lotbackup

lint-man:
	mandoc -Tlint -W warning man/lotbackup.1

clean:
	rm -rf build build-asan build-fuzz lotbackup
