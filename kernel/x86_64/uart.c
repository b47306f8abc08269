/* kernel/x86_64/uart.c — the 16550 serial ports (COM1..COM3), polled.
 *
 * COM1 carries the kernel's messages; COM2 and COM3, when the machine has
 * them, carry a program's standard output and standard error (tools/run-elf
 * attaches them to its own stdout and stderr). A port that is absent reads
 * back 0xff; we detect ports through the scratch register, which a real or
 * emulated 16550 remembers. */
#include <kern/console.h>

#include "cpu.h"

enum { UART_DATA = 0, UART_IER = 1, UART_FCR = 2, UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_SCR = 7 };
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

static const uint16_t uart_base[CONSOLE_CHANNELS] = {0x3f8, 0x2f8, 0x3e8};
static bool uart_present[CONSOLE_CHANNELS];

static bool uart_probe(uint16_t base)
{
    outb(base + UART_SCR, 0x5a);
    if (inb(base + UART_SCR) != 0x5a)
        return false;
    outb(base + UART_SCR, 0xa5);
    return inb(base + UART_SCR) == 0xa5;
}

static void uart_setup(uint16_t base)
{
    outb(base + UART_IER, 0x00);  /* no interrupts: we poll */
    outb(base + UART_LCR, 0x80);  /* divisor latch access */
    outb(base + UART_DATA, 0x01); /* 115200 baud */
    outb(base + UART_IER, 0x00);
    outb(base + UART_LCR, 0x03);  /* 8 bits, no parity, one stop bit */
    outb(base + UART_FCR, 0x07);  /* FIFOs on and cleared */
    outb(base + UART_MCR, 0x03);  /* DTR, RTS */
}

void console_init(void)
{
    for (int i = 0; i < CONSOLE_CHANNELS; i++) {
        uart_present[i] = uart_probe(uart_base[i]);
        if (uart_present[i])
            uart_setup(uart_base[i]);
    }
}

static void uart_putc(uint16_t base, char c)
{
    while (!(inb(base + UART_LSR) & LSR_THR_EMPTY))
        cpu_relax();
    outb(base + UART_DATA, (uint8_t)c);
}

/* Contract: see console.h. */
void console_write(enum console_channel ch, const char *buf, size_t len)
{
    int i = (int)ch;
    if (i < 0 || i >= CONSOLE_CHANNELS || !uart_present[i])
        i = CONSOLE_KERNEL;
    uint16_t base = uart_base[i];
    for (size_t k = 0; k < len; k++)
        uart_putc(base, buf[k]);
}

bool console_separate(enum console_channel ch)
{
    return ch != CONSOLE_KERNEL && (int)ch < CONSOLE_CHANNELS && uart_present[ch];
}

/* Contract: see console.h. */
int console_read_byte(enum console_channel ch)
{
    int i = (int)ch;
    if (i < 0 || i >= CONSOLE_CHANNELS || !uart_present[i])
        i = CONSOLE_KERNEL;
    uint16_t base = uart_base[i];
    if (!(inb(base + UART_LSR) & LSR_DATA_READY))
        return -1;
    return inb(base + UART_DATA);
}
