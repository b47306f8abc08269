/* kernel/aarch64/uart.h — the PL011 console (uart.c). */
#ifndef KERNEL_AARCH64_UART_H
#define KERNEL_AARCH64_UART_H

#include <stdint.h>

/* (Re)initialise the UART at physical address pa (0: -M virt's). */
void uart_init(uint64_t pa);

#endif
