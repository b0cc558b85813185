# hafen — build with plain make and pkg-config. See README.md.
#
#   make            build/hafend and build/hafen (release flags)
#   make check      sanitizer build under build/check, every test, one closing line
#   make fuzz       libFuzzer targets for FUZZ_SECONDS each (default 60)
#   make coverage   line coverage of src/imap and src/mime by the unit tests
#   make format     apply .clang-format (make format-check: list files that differ)
#   make lint       format-check, cppcheck, clang-tidy
#   make install    PREFIX (/usr/local), SYSCONFDIR (/etc), DESTDIR
#
# Everything under src/ except the programs' own directories is compiled
# into one static library that the programs, tests and fuzzers link.

BUILD     ?= build
CC        ?= cc
SAN       ?=
COVERAGE  ?=
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 20
V         ?=
Q         := $(if $(V),,@)

PKGS      := openssl sqlite3 libevent libevent_openssl libxcrypt zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lunistring
TEST_LIBS  := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN      := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
             -Wmissing-prototypes -Wformat=2 -Wvla -Wno-unused-parameter
CPPFLAGS  += -D_GNU_SOURCE -Isrc
CFLAGS    ?= -O2 -g
CFLAGS    += -std=c11 $(WARN) -fno-strict-aliasing $(PKG_CFLAGS)
LDLIBS    += $(PKG_LIBS) -lm

ifneq ($(SAN),)
CFLAGS    += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS   += -fsanitize=address,undefined
endif
ifneq ($(COVERAGE),)
CFLAGS    += -O0 --coverage
LDFLAGS   += --coverage
endif

# Library code: every module directory that exists. Programs live apart.
LIB_DIRS  := src/lib src/mime src/imap src/store src/auth src/net src/sieve
LIB_SRCS  := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIBHAFEN  := $(BUILD)/libhafen.a

SERVER_SRCS := $(shell find src/server -name '*.c' 2>/dev/null)
CLIENT_SRCS := $(shell find src/client -name '*.c' 2>/dev/null)
PROGS     := $(if $(SERVER_SRCS),$(BUILD)/hafend) $(if $(CLIENT_SRCS),$(BUILD)/hafen)

TEST_SRCS := $(wildcard tests/unit/test-*.c)
TEST_HELPER_SRCS := $(filter-out $(TEST_SRCS),$(wildcard tests/unit/*.c))
TEST_HELPER_OBJS := $(TEST_HELPER_SRCS:%.c=$(BUILD)/obj/%.o)
TESTS     := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

FUZZ_SRCS := $(wildcard fuzz/fuzz-*.c)
FUZZ_BUILD := build/fuzz
FUZZERS   := $(FUZZ_SRCS:fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_COMMON := -std=c11 -g -O1 -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) -fno-sanitize-recover=undefined
FUZZ_CFLAGS := $(FUZZ_COMMON) -fsanitize=fuzzer,address,undefined
# The library is compiled once for all fuzzers, instrumented but not linked
# with libFuzzer's main.
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_LIB  := $(FUZZ_BUILD)/libhafen-fuzz.a

.PHONY: all deps programs tests check fuzz fuzz-build coverage format format-check lint clean demo install
.DEFAULT_GOAL := all
.SECONDARY:

all: deps
	@$(MAKE) --no-print-directory programs

deps:
	@scripts/deps

programs: $(PROGS)

tests: $(TESTS) $(PROGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIBHAFEN): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/hafend: $(SERVER_SRCS:%.c=$(BUILD)/obj/%.o) $(LIBHAFEN)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/hafen: $(CLIENT_SRCS:%.c=$(BUILD)/obj/%.o) $(LIBHAFEN)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs libcurl ncursesw 2>/dev/null)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TEST_HELPER_OBJS) $(LIBHAFEN)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(LDLIBS)

check: deps
	@$(MAKE) --no-print-directory BUILD=build/check SAN=1 tests
	@if command -v clang >/dev/null 2>&1 && [ -n "$(FUZZ_SRCS)" ]; then \
		$(MAKE) --no-print-directory fuzz-build; fi
	@scripts/run-checks --build build/check --fuzz-seconds $(FUZZ_SMOKE_SECONDS)

fuzz-build: $(FUZZERS)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC(fz)  $<")
	$(Q)clang $(FUZZ_COMMON) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(FUZZ_BUILD)/fuzz-%: fuzz/fuzz-%.c $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB) $(PKG_LIBS) -lm

fuzz: deps fuzz-build
	@scripts/run-fuzz --seconds $(FUZZ_SECONDS) $(FUZZERS)

coverage: deps
	@$(MAKE) --no-print-directory BUILD=build/cov COVERAGE=1 tests
	@find build/cov -name '*.gcda' -delete
	@scripts/run-checks --build build/cov --unit-only >/dev/null || true
	@for d in imap mime; do \
		printf 'src/%s: ' $$d; \
		gcovr --root . --filter "src/$$d/" build/cov/obj/src/$$d | tail -n 2 | head -n 1 | \
			awk '{print $$4 " of lines (" $$3 " of " $$2 ")"}'; \
	done

demo: all
	@scripts/demo

PREFIX  ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR ?=
# The example configuration becomes SYSCONFDIR/hafen/hafend.conf unless one
# is there already (an administrator's file is never overwritten); the
# systemd unit names the installed binary and that file.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/doc/hafen \
		$(DESTDIR)$(PREFIX)/share/hafen/contrib $(DESTDIR)$(SYSCONFDIR)/hafen
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/hafen/
	install -m 644 contrib/hafend.conf $(DESTDIR)$(PREFIX)/share/hafen/contrib/
	sed -e 's|/usr/local/bin/hafend|$(PREFIX)/bin/hafend|' -e 's|/etc/hafen/|$(SYSCONFDIR)/hafen/|' \
		contrib/hafend.service >$(DESTDIR)$(PREFIX)/share/hafen/contrib/hafend.service
	chmod 644 $(DESTDIR)$(PREFIX)/share/hafen/contrib/hafend.service
	test -e $(DESTDIR)$(SYSCONFDIR)/hafen/hafend.conf || \
		install -m 644 contrib/hafend.conf $(DESTDIR)$(SYSCONFDIR)/hafen/hafend.conf

format:
	clang-format -i $$(find src tests fuzz bench -name '*.[ch]' 2>/dev/null)

# Fails, naming the files, when one differs from what make format makes.
format-check:
	@bad=$$(for f in $$(find src tests fuzz bench -name '*.[ch]' 2>/dev/null); do \
		clang-format "$$f" | cmp -s - "$$f" || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "not formatted (make format):"; echo "$$bad"; exit 1; fi

lint: format-check
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem -D__GNUC__ -Isrc src
	clang-tidy --quiet $(LIB_SRCS) $(SERVER_SRCS) $(CLIENT_SRCS) -- $(CPPFLAGS) -std=c11 $(PKG_CFLAGS)

clean:
	rm -rf build

# make bench: the side-by-side benchmarks (bench/Makefile.inc, BENCHMARKS.md).
-include bench/Makefile.inc

-include $(shell find $(BUILD)/obj $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
