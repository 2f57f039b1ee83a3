# timewait: build, install dependencies, test, run.
#
#   make            build build/timewait (+ timewait_server, timewait_client links)
#   make deps       install missing Debian packages (needs root and apt)
#   make run        deps, build, run the seed's tests 000-007 in the lab (--fast)
#   make check      deps, build (normal + ASan/UBSan), run every test, fuzz briefly
#   make fuzz       build the libFuzzer targets (tests/fuzz/fuzz_*.c, clang,
#                   ASan+UBSan, in build/fuzz) and run each FUZZ_SECONDS (600)
#   make bench      deps, build, print the benchmarks
#   make install    the binary, its two seed names, timewait(1) (also as
#                   timewait_server(1), timewait_client(1)), bash and zsh
#                   completion, the shipped scenarios (PREFIX/share/timewait/scenarios)
#
# Every source file under src/ is compiled: a new file needs no edit here.
# Objects other than src/main.c go into one static library that the program
# and the unit tests (tests/unit/test_*.c, cmocka) link against.

CC      ?= cc
BUILD   ?= build
# The libraries, by pkg-config name (libmnl: route netlink and sock_diag).
# Their flags are asked for once, when first needed (after `make deps` has
# run in `make bench`), and a missing .pc stops the build with its name.
PKGS    := libpcap libmnl libtracefs libtraceevent jansson
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs $(PKGS)))$(PKG_LIBS)
OPT     ?= -O2 -g
CFLAGS  = $(OPT) -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc \
           $(PKG_CFLAGS) $(XCFLAGS)
LDLIBS  += $(PKG_LIBS) -lpthread -lm

SRCS    := $(sort $(wildcard src/*.c src/*/*.c))
LIBSRCS := $(filter-out src/main.c,$(SRCS))
OBJS    := $(LIBSRCS:%.c=$(BUILD)/%.o)
UNITS   := $(sort $(wildcard tests/unit/test_*.c))
UNITBIN := $(UNITS:tests/unit/%.c=$(BUILD)/tests/%)

PREFIX  ?= /usr/local

.PHONY: all units deps run check test test-asan bench install clean pkgs-found fuzz fuzz-build fuzz-short
all: $(BUILD)/timewait $(BUILD)/timewait_server $(BUILD)/timewait_client

# Every library's .pc file must be there before anything is compiled.
pkgs-found:
	@missing=""; for p in $(PKGS); do pkg-config --exists "$$p" || missing="$$missing $$p.pc"; done; \
	if [ -n "$$missing" ]; then \
		echo "make: pkg-config finds no$$missing (PKG_CONFIG_PATH: $${PKG_CONFIG_PATH:-default});" \
		    "install the -dev packages: make deps" >&2; exit 1; fi

$(BUILD)/%.o: %.c | pkgs-found
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libtimewait.a: $(OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/timewait: $(BUILD)/src/main.o $(BUILD)/libtimewait.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/timewait_server $(BUILD)/timewait_client: $(BUILD)/timewait
	ln -sf timewait $@

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libtimewait.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-unused-parameter -o $@ $< $(BUILD)/libtimewait.a $(LDLIBS) -lcmocka

units: $(UNITBIN)

deps:
	@scripts/deps.sh

run: deps
	$(MAKE) all
	$(BUILD)/timewait lab run seed --fast

# make check: the normal build, then the same tests again built with
# AddressSanitizer and UndefinedBehaviorSanitizer.
check: deps
	$(MAKE) all units
	tests/run.sh $(BUILD)
	$(MAKE) test-asan
	$(MAKE) fuzz-short

test: all units
	tests/run.sh $(BUILD)

test-asan:
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" all units
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		tests/run.sh build/asan

# Fuzzing: every tests/fuzz/fuzz_*.c defines LLVMFuzzerTestOneInput and is
# linked against the project's sources built again with clang and the same
# sanitizers in build/fuzz. Each runs FUZZ_SECONDS from its seed corpus
# tests/fuzz/corpus/NAME/ (never written to: what the fuzzer finds goes into
# build/fuzz/corpus/NAME/, crashes into build/fuzz/crash-NAME-*).
FUZZ_BUILD   := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer
FUZZ_SRCS    := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_SECONDS ?= 600

fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang XCFLAGS="-Wno-error -Wno-unknown-warning-option" \
		OPT="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ_BUILD)/libtimewait.a
	$(MAKE) $(FUZZ_BINS)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/*.h $(FUZZ_BUILD)/libtimewait.a
	clang -O1 -g -std=gnu11 -D_GNU_SOURCE -Isrc -fsanitize=fuzzer $(FUZZ_SAN) \
		$(PKG_CFLAGS) -o $@ $< \
		$(FUZZ_BUILD)/libtimewait.a $(LDLIBS)

fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# The short run of make check: each target 10 s (twelve targets: two minutes).
fuzz-short: fuzz-build
	tests/fuzz/run.sh $(FUZZ_BUILD) 10

bench: deps all
	sh bench/run.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 755 $(BUILD)/timewait $(DESTDIR)$(PREFIX)/bin/timewait
	ln -sf timewait $(DESTDIR)$(PREFIX)/bin/timewait_server
	ln -sf timewait $(DESTDIR)$(PREFIX)/bin/timewait_client
	install -m 644 man/timewait.1 $(DESTDIR)$(PREFIX)/share/man/man1/timewait.1
	ln -sf timewait.1 $(DESTDIR)$(PREFIX)/share/man/man1/timewait_server.1
	ln -sf timewait.1 $(DESTDIR)$(PREFIX)/share/man/man1/timewait_client.1
	$(BUILD)/timewait completion bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/timewait
	for p in timewait_server timewait_client; do \
		ln -sf timewait $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$p; done
	$(BUILD)/timewait completion zsh >$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_timewait
	install -d $(DESTDIR)$(PREFIX)/share/timewait/scenarios
	install -m 644 scenarios/*.scen $(DESTDIR)$(PREFIX)/share/timewait/scenarios/
	install -d $(DESTDIR)$(PREFIX)/share/timewait/proxies
	install -m 644 proxies/* $(DESTDIR)$(PREFIX)/share/timewait/proxies/

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(BUILD)/src/main.d
