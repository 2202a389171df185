# jourd — a plain Makefile with explicit source lists.
#
#   make            build jourd and jourctl
#   make run        install what is missing, build, prepare var/, run on the dummy phone
#   make check      install what is missing, build, run every unit and integration test
#   make asan       the same tests built with AddressSanitizer and UBSan
#   make bench      figures: throughput, latency, memory, restart time, routes
#   make crashtest  SIGKILL jourd 110+ times over 1,100+ SMS; nothing may be lost
#                   (CRASH_MODEMS=2: two modems, messages moving between them)
#   make fuzz       run every fuzz target for FUZZ_SECONDS each (clang, libFuzzer)
#   make install    PREFIX=/usr/local DESTDIR= (binaries, unit, sysusers.d,
#                   tmpfiles.d, manual pages)

PREFIX	?= /usr/local
DESTDIR	?=
BUILD	?= build

CC	?= cc
PKGS	= gammu libevent sqlite3 inih libsystemd libseccomp
WARN	= -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	  -Wpointer-arith -Wformat=2 -Wvla -Wundef -Wno-unused-parameter
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude -I$(BUILD) \
	  $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS	= $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcrypt -lm

# Modules shared by jourd, jourctl and the tests. Pure ones first.
LIB_SRCS = \
	src/text.c \
	src/phone.c \
	src/pnr.c \
	src/parse.c \
	src/config.c \
	src/csv.c \
	src/roster.c \
	src/coverage.c \
	src/calendar.c \
	src/ical.c \
	src/esc.c \
	src/msg.c \
	src/espa.c \
	src/jtime.c \
	src/log.c \
	src/json.c \
	src/db.c \
	src/ipc.c \
	src/store.c \
	src/import.c \
	src/directory.c \
	src/removal.c \
	src/inject.c \
	src/spawn.c \
	src/sandbox.c \
	src/users.c \
	src/metrics.c \
	$(BUILD)/schema.c

JOURD_SRCS = \
	src/jourd.c \
	src/modem.c \
	src/pager.c \
	src/inbound.c \
	src/consult.c \
	src/events.c \
	src/worker.c \
	src/outbox.c \
	src/trouble.c \
	src/failover.c \
	src/clockjump.c \
	src/daily.c \
	src/retention.c \
	src/http.c \
	src/httpd.c

JOURCTL_SRCS = \
	src/jourctl.c \
	src/ctl_show.c \
	src/ctl_daily.c \
	src/ctl_directory.c \
	src/ctl_report.c \
	src/ctl_roster.c \
	src/ctl_user.c

UNIT_TESTS = text phone pnr parse config csv roster calendar esc jtime msg espa ipc json import report modem pager db directory ical removal coverage sandbox users metrics

SCHEMA	= $(sort $(wildcard schema/*.sql))

LIB_OBJS	= $(LIB_SRCS:%.c=$(BUILD)/%.o)
JOURD_OBJS	= $(JOURD_SRCS:%.c=$(BUILD)/%.o)
JOURCTL_OBJS	= $(JOURCTL_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS	= $(UNIT_TESTS:%=$(BUILD)/tests/test_%)

.PHONY: all deps run check unit integration asan fuzz install manlint clean bench crashtest faults

all: jourd jourctl

jourd: $(JOURD_OBJS) $(BUILD)/libjourd.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

jourctl: $(JOURCTL_OBJS) $(BUILD)/libjourd.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libjourd.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

# Quiet by default; `make V=1` shows the commands.
Q	= $(if $(V),,@)

$(BUILD)/%.o: %.c $(wildcard include/*.h src/*.h) | $(BUILD)/schema.h
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The migrations are compiled in, so an installed jourd needs no schema files.
$(BUILD)/schema.h: $(BUILD)/schema.c
$(BUILD)/schema.c: $(SCHEMA) tools/embed-schema.sh
	@mkdir -p $(BUILD)
	sh tools/embed-schema.sh $(BUILD) $(SCHEMA)

# The report's pure functions live in jourctl's ctl_report.c.
$(BUILD)/tests/test_report: tests/unit/test_report.c src/ctl_report.c $(BUILD)/libjourd.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# The modem and pager workers are daemon-only code.
$(BUILD)/tests/test_modem: tests/unit/test_modem.c $(BUILD)/src/modem.o $(BUILD)/libjourd.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests/test_pager: tests/unit/test_pager.c $(BUILD)/src/pager.o $(BUILD)/libjourd.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libjourd.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# One wake-up call through libGammu's AT driver, for the fake modem's
# self-test (tests/integration/test_fakemodem.py); never installed.
$(BUILD)/tests/dialtest: tests/fakemodem/dialtest.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LDLIBS)

# The real modem worker under a line-based driver, for the wake-up call
# tests (tests/integration/test_calls.py); never installed.
$(BUILD)/tests/calldrive: tests/fakemodem/calldrive.c $(BUILD)/src/modem.o $(BUILD)/libjourd.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# The pager worker alone, driven line by line by
# tests/integration/test_pager.py against the fake paging system.
$(BUILD)/tests/pagerdrive: tests/fakepager/pagerdrive.c $(BUILD)/src/pager.o $(BUILD)/libjourd.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# Reads an .ics back with Debian's libical, for tests/integration/test_roster.py;
# never installed. Without libical-dev (tools/deps.sh installs it) nothing is
# built and that test says it skipped the check.
$(BUILD)/tests/icalcheck: tests/icalcheck/icalcheck.c
	@mkdir -p $(dir $@)
	@if pkg-config --exists libical; then \
	    echo "  CC      $<"; \
	    $(CC) $(ALL_CFLAGS) $$(pkg-config --cflags libical) -o $@ $< \
	        $$(pkg-config --libs libical); \
	else echo "icalcheck: libical-dev is missing (sh tools/deps.sh)"; fi

# Installs the Debian packages jourd needs when any is missing (root only).
deps:
	@sh tools/deps.sh

run: deps
	$(MAKE) all
	sh tools/run-demo.sh

unit: $(UNIT_BINS)
	@sh tools/run-unit.sh $(UNIT_BINS)

integration: all $(BUILD)/tests/dialtest $(BUILD)/tests/calldrive $(BUILD)/tests/pagerdrive \
	    $(BUILD)/tests/icalcheck
	@python3 tests/integration/run.py -j $${JOURD_TEST_JOBS:-4}

# The integration tests run twice: on the normal build and on the sanitizer
# build (ASAN_* below), which is built here too.
check: deps
	$(MAKE) all $(UNIT_BINS) $(BUILD)/tests/dialtest $(BUILD)/tests/calldrive \
	    $(BUILD)/tests/pagerdrive $(BUILD)/tests/icalcheck
	$(MAKE) BUILD=$(ASAN_BUILD) CFLAGS="$(ASAN_CFLAGS)" \
	    $(ASAN_BUILD)/jourd $(ASAN_BUILD)/jourctl \
	    $(ASAN_BUILD)/tests/calldrive $(ASAN_BUILD)/tests/pagerdrive
	$(MAKE) faults
	@sh tools/check.sh $(ASAN_BUILD) $(UNIT_BINS)

# The sanitizer build lives in build-asan/, binaries included, so it never
# replaces ./jourd; tools/asan.sh runs the unit and integration tests on it.
ASAN_BUILD	= build-asan
ASAN_CFLAGS	= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		  -fno-sanitize-recover=all
# Unit tests to leave out of the sanitizer run, e.g. ASAN_SKIP=modem while
# one does not build at -O1 (gcc's -Wformat-truncation differs from -O2's).
ASAN_SKIP	?=
ASAN_UNIT_BINS	= $(filter-out $(ASAN_SKIP:%=$(ASAN_BUILD)/tests/test_%), \
		  $(UNIT_TESTS:%=$(ASAN_BUILD)/tests/test_%))

asan: deps
	$(MAKE) BUILD=$(ASAN_BUILD) CFLAGS="$(ASAN_CFLAGS)" \
	    $(ASAN_BUILD)/jourd $(ASAN_BUILD)/jourctl $(ASAN_UNIT_BINS) \
	    $(ASAN_BUILD)/tests/calldrive $(ASAN_BUILD)/tests/pagerdrive
	@sh tools/asan.sh $(ASAN_BUILD) $(ASAN_UNIT_BINS)

# Binaries inside a build directory; used by the sanitizer build.
$(BUILD)/jourd: $(JOURD_OBJS) $(BUILD)/libjourd.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/jourctl: $(JOURCTL_OBJS) $(BUILD)/libjourd.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# The crash campaign: SIGKILL at random moments, also right after a commit
# and mid-send; the proof of nothing lost comes from the database. make check
# runs a short one. SEED=N repeats a campaign; CRASH_MODEMS=2 runs it on two
# modems while faults move messages from the first to the second (with the
# fault build).
CRASH_RUNS	?= 110
CRASH_MESSAGES	?= 1100
CRASH_MODEMS	?= 1
crashtest: all faults
	@python3 tests/crash/crashtest.py --runs $(CRASH_RUNS) \
	    --messages $(CRASH_MESSAGES) --modems $(CRASH_MODEMS) \
	    $(if $(SEED),--seed $(SEED))

# A jourd with the modem worker's fault injection compiled in (src/modem.c,
# JOURD_FAULTS), for the tests of worker crashes, hangs and send failures.
# The jourd that make builds has none of it.
FAULTS_BUILD	= build-faults
faults: $(FAULTS_BUILD)/failwrite.so
	$(MAKE) BUILD=$(FAULTS_BUILD) CFLAGS="$(CFLAGS) -DJOURD_FAULTS" \
	    $(FAULTS_BUILD)/jourd

# LD_PRELOAD shim that fails database writes: disk full, read-only.
$(FAULTS_BUILD)/failwrite.so: tests/faults/failwrite.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -shared -fPIC -o $@ $< -ldl

# make bench: figures, not tests (bench/run.py prints the table).
BENCH_OBJS = $(BUILD)/src/inbound.o $(BUILD)/src/consult.o $(BUILD)/src/events.o \
	     $(BUILD)/src/outbox.o
$(BUILD)/bench_pipeline: bench/bench_pipeline.c $(BENCH_OBJS) $(BUILD)/libjourd.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# gammu-smsd is installed for the comparison only.
bench: all $(BUILD)/bench_pipeline
	@sh tools/deps.sh gammu-smsd
	@python3 bench/run.py

FUZZ_SECONDS ?= 30
fuzz: deps
	@sh tools/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-fuzz build-faults jourd jourctl

MANDIR	?= $(PREFIX)/share/man
MANS	= man/jourd.8 man/jourctl.8 man/jourd.conf.5

# The unit file names the binaries by path, so it is written for PREFIX.
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin
	install -m 755 jourd $(DESTDIR)$(PREFIX)/sbin/jourd
	install -m 755 jourctl $(DESTDIR)$(PREFIX)/bin/jourctl
	install -d $(DESTDIR)$(PREFIX)/share/jourd/schema $(DESTDIR)$(PREFIX)/share/doc/jourd
	install -m 644 schema/*.sql $(DESTDIR)$(PREFIX)/share/jourd/schema/
	install -m 644 conf/jourd.conf.example conf/jourd.conf.routes README.md $(DESTDIR)$(PREFIX)/share/doc/jourd/
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 644 man/jourd.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 man/jourd.8 man/jourctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|g' systemd/jourd.service \
	    > $(DESTDIR)$(PREFIX)/lib/systemd/system/jourd.service
	chmod 644 $(DESTDIR)$(PREFIX)/lib/systemd/system/jourd.service
	install -d $(DESTDIR)$(PREFIX)/lib/sysusers.d $(DESTDIR)$(PREFIX)/lib/tmpfiles.d
	install -m 644 systemd/jourd.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/jourd.conf
	install -m 644 systemd/jourd.tmpfiles $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/jourd.conf

# Fails on any mandoc or groff warning, or quotes that do not pair up.
manlint:
	sh tools/manlint.sh $(MANS)
