/* Callgrind client requests for bench.measure, called through ctypes around each measured window.
 *
 * Built at run time by bench.callgrind (cc -shared -fPIC). Outside valgrind every request is a handful of
 * no-op instructions, so the same library serves the native pass (CPU time) and the callgrind pass. The child
 * runs with --instr-atstart=no: start-up and warm-up requests run uninstrumented (several times faster), and
 * only the windows between bench_window_start and bench_window_stop are counted.
 */
#include <valgrind/callgrind.h>
#include <valgrind/valgrind.h>

/* 1 under valgrind, 0 natively. */
int bench_on_valgrind(void) { return RUNNING_ON_VALGRIND ? 1 : 0; }

/* Instrument from here on, with the counters at zero. */
void bench_window_start(void) {
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_ZERO_STATS;
}

/* Write the counts since bench_window_start to a dump file of their own, labelled, and stop instrumenting. */
void bench_window_stop(const char *label) {
    CALLGRIND_DUMP_STATS_AT(label);
    CALLGRIND_STOP_INSTRUMENTATION;
}
