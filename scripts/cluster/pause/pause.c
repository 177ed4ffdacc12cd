/*
 * The pod sandbox's process for the single-node cluster (image localhost/fabric-wallet/pause).
 *
 * The container runtime starts it first in every pod; the pod's network, IPC and (with a
 * shared PID namespace) PID namespaces live as long as it does. It therefore does nothing:
 * it sleeps until a signal comes. As PID 1 of a shared PID namespace it also collects the
 * exit status of every orphan re-parented to it, so none stays a zombie. SIGINT or SIGTERM
 * (the runtime stopping the sandbox) ends it with status 0.
 *
 * Built static (gcc -static), so the image needs no libc:
 *   gcc -static -O2 -s -o pause pause.c
 * `pause -v` prints its version and exits.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PAUSE_VERSION
#define PAUSE_VERSION "3.10"
#endif

static void on_stop(int signo) {
  (void)signo;
  _exit(0);
}

/* Collects every child that has exited; errno is kept for the code the signal interrupted. */
static void on_child(int signo) {
  int saved = errno;
  (void)signo;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

static int handle(int signo, void (*handler)(int), int flags) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = handler;
  action.sa_flags = flags;
  sigemptyset(&action.sa_mask);
  return sigaction(signo, &action, NULL);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "-v") == 0) {
    printf("pause %s (fabric-wallet)\n", PAUSE_VERSION);
    return 0;
  }
  if (argc > 1) {
    fprintf(stderr, "usage: %s [-v]\n", argv[0]);
    return 2;
  }
  if (handle(SIGINT, on_stop, 0) != 0 || handle(SIGTERM, on_stop, 0) != 0 ||
      handle(SIGCHLD, on_child, SA_NOCLDSTOP | SA_RESTART) != 0) {
    perror("pause: sigaction");
    return 1;
  }
  if (getpid() != 1)
    fprintf(stderr, "pause: running as PID %ld, not 1: only its own children are reaped\n", (long)getpid());
  for (;;)
    pause();
}
