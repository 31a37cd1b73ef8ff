/* ALSA's library reports configuration errors by printing them to stderr ("ALSA lib
 * confmisc.c:855:(parse_card) cannot find card '0'", a dozen lines on a machine without a
 * sound card). Its handler is a C variadic function, which stable Rust cannot define: this
 * one formats the message and hands the line to the program's logging (device/alsa_log.rs). */
#include <alsa/asoundlib.h>
#include <stdarg.h>
#include <stdio.h>

typedef void (*strata_alsa_sink)(const char *line);

static strata_alsa_sink sink;

static void handler(const char *file, int line, const char *function, int err, const char *fmt,
                    ...) {
    char text[512];
    int n = snprintf(text, sizeof text, "%s:%d:(%s) ", file, line, function);
    if (n < 0 || n >= (int)sizeof text) n = 0;
    va_list args;
    va_start(args, fmt);
    int m = vsnprintf(text + n, sizeof text - n, fmt, args);
    va_end(args);
    if (m > 0 && n + m < (int)sizeof text && err != 0)
        snprintf(text + n + m, sizeof text - n - m, ": %s", snd_strerror(err));
    if (sink != NULL) sink(text);
}

void strata_alsa_route_errors(strata_alsa_sink to) {
    sink = to;
    snd_lib_error_set_handler(handler);
}
