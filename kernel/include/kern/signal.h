/* kern/signal.h — Linux signal numbers (x86-64 and the generic table agree
 * on the ones used here). Until signal delivery exists, a signal that would
 * end a process ends it with exit status 128 + signal. */
#ifndef KERN_SIGNAL_H
#define KERN_SIGNAL_H

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGPIPE 13
#define SIGTERM 15

/* A short name ("SIGSEGV"), or "signal" for one without a name here. */
const char *signal_name(int sig);

#endif
