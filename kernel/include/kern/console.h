/* kern/console.h — the machine's text channels: the kernel log and the
 * first process's standard output and error. On x86-64 each channel is a
 * serial port (uart.c); a channel the machine lacks falls back to the
 * kernel's. */
#ifndef KERN_CONSOLE_H
#define KERN_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

enum console_channel {
    CONSOLE_KERNEL = 0,
    CONSOLE_STDOUT = 1,
    CONSOLE_STDERR = 2,
    CONSOLE_CHANNELS = 3,
};

/* Find and set up the channels. Called first thing at boot. */
void console_init(void);

/* Write len bytes to channel ch (the kernel channel if ch is absent). */
void console_write(enum console_channel ch, const char *buf, size_t len);

/* True when ch has its own device rather than sharing the kernel's. */
bool console_separate(enum console_channel ch);

/* One received byte from ch, or -1 when none is waiting. */
int console_read_byte(enum console_channel ch);

#endif
