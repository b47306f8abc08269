/* kernel/aarch64/uart.c — the console: one PL011 UART, polled, carrying
 * all three channels (kernel log, process 1's standard output and error).
 *
 * QEMU's -M virt has a single UART for the normal world, so the channels
 * share it, told apart by a framing that leaves ordinary text untouched:
 * the byte DLE (0x10) followed by '0', '1' or '2' switches the channel
 * the following bytes belong to, and DLE DLE stands for one DLE of data.
 * The stream starts on channel 0 (the kernel's). tools/run-elf undoes the
 * framing and sends each channel where it belongs; on a plain terminal
 * the switches are invisible control bytes.
 *
 * PL011 registers (32-bit, at the address the device tree gives):
 *   0x00 DR    data: write to send, read to receive
 *   0x18 FR    flags: bit 5 TXFF (transmit FIFO full), bit 4 RXFE
 *              (receive FIFO empty)
 *   0x2c LCR_H line control: 8 data bits (0x60), FIFOs on (0x10)
 *   0x30 CR    control: UARTEN (bit 0), TXE (bit 8), RXE (bit 9)
 *   0x38 IMSC  interrupt mask: 0, we poll */
#include <kern/console.h>

#include "boot_mem.h"
#include "sysreg.h"
#include "uart.h"

#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_LCR_H 0x2c
#define PL011_CR 0x30
#define PL011_IMSC 0x38
#define FR_TXFF (1u << 5)
#define FR_RXFE (1u << 4)

#define FRAME_ESC 0x10
#define VIRT_UART 0x09000000ull /* -M virt's, before the device tree is read */

static uintptr_t uart_base;
static int uart_channel; /* the channel the stream is on */

static void uart_putc(char c)
{
    while (mmio_read32(uart_base + PL011_FR) & FR_TXFF)
        cpu_relax();
    mmio_write32(uart_base + PL011_DR, (uint8_t)c);
}

void uart_init(uint64_t pa)
{
    uart_base = device_va(pa ? pa : VIRT_UART);
    mmio_write32(uart_base + PL011_CR, 0);
    mmio_write32(uart_base + PL011_IMSC, 0);
    mmio_write32(uart_base + PL011_LCR_H, 0x70);
    mmio_write32(uart_base + PL011_CR, (1u << 0) | (1u << 8) | (1u << 9));
}

void console_init(void) { uart_init(0); }

/* Contract: see console.h. */
void console_write(enum console_channel ch, const char *buf, size_t len)
{
    int c = (int)ch;
    if (c < 0 || c >= CONSOLE_CHANNELS)
        c = CONSOLE_KERNEL;
    if (len && c != uart_channel) {
        uart_putc(FRAME_ESC);
        uart_putc((char)('0' + c));
        uart_channel = c;
    }
    for (size_t k = 0; k < len; k++) {
        if (buf[k] == FRAME_ESC)
            uart_putc(FRAME_ESC);
        uart_putc(buf[k]);
    }
}

/* Every channel has its own stream, thanks to the framing. */
bool console_separate(enum console_channel ch) { return (int)ch >= 0 && (int)ch < CONSOLE_CHANNELS; }

/* Contract: see console.h. Input is not framed: every channel reads the
 * UART. */
int console_read_byte(enum console_channel ch)
{
    (void)ch;
    if (mmio_read32(uart_base + PL011_FR) & FR_RXFE)
        return -1;
    return (int)(mmio_read32(uart_base + PL011_DR) & 0xff);
}
