/*
 * progress.c - how a test's child tells the runner how far it got (one
 * line per change, through a pipe, drawn as the test's live line), and the
 * flag a Ctrl+C or SIGTERM raises so every wait of the run ends early.
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "lab/runint.h"
#include "util.h"

volatile sig_atomic_t run_stop_requested;
static int progress_fd = -1;

void
run_on_stop(int sig)
{
	(void)sig;
	run_stop_requested = 1;
}

void
run_progress_to(int fd)
{
	progress_fd = fd;
}

void
progress(const char *f, ...)
{
	char line[256];
	va_list ap;
	int n;

	if (progress_fd < 0)
		return;
	va_start(ap, f);
	n = vsnprintf(line, sizeof(line) - 1, f, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)write_all(progress_fd, line, (size_t)n);
}

int
run_sleep_until(uint64_t deadline)
{
	for (;;) {
		uint64_t now = now_mono_ns();

		if (run_stop_requested)
			return -1;
		if (now >= deadline)
			return 0;
		sleep_ns(deadline - now > 10 * NSEC_PER_MSEC ? 10 * NSEC_PER_MSEC : deadline - now);
	}
}
