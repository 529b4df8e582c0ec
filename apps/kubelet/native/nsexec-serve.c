/*
 * podling-nsexec --serve: the agent's pod sandboxes are made and removed by one long-lived podling-nsexec instead of
 * one exec per pod. A request costs a fork of this small process (tens of microseconds) where an exec costs a fork
 * of the agent's Node spawner (tens of MB of page tables) plus the dynamic loader; with the node's CPU saturated by
 * a burst of new pods, that was most of the sandbox's cost (bench/pod-startup).
 *
 * Each request runs in a forked child, exactly as the one-shot program would: the steps change the calling
 * process's namespaces (unshare, setns), and a child that exits leaves this process in the namespaces it started in
 * whatever a step did or where it failed. At most MAX_RUNNING children run at once; further requests wait in the
 * pipe (the kernel's part of a sandbox is serialised on its locks anyway).
 *
 * Protocol, one line each, fields separated by tabs (arguments cannot contain tabs or newlines):
 *   stdin   <id> TAB STEP-ARG TAB STEP-ARG …      the steps of podling-nsexec (no `--` and no command)
 *   stdout  <id> 0                                 every step ran
 *           <id> 1 <reason>                        a step failed (or the child died): nothing after it ran
 * Answers come in completion order. At the end of stdin the server runs what it has read, waits for its children
 * and exits 0, so it never outlives the agent for long (whose pipe ends even when it is SIGKILLed). A stopping
 * agent ends it with SIGTERM instead: the steps already running finish in their own processes, no other starts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nsexec.h"

#define MAX_RUNNING 4
#define MAX_ARGS 64
#define MAX_LINE 65536

static struct { pid_t pid; unsigned long id; } running[MAX_RUNNING];
static int nrunning;

/* One write() below PIPE_BUF: concurrent children's answers never interleave. */
static void answer(unsigned long id, const char *failure) {
  char line[1400];
  int n = failure ? snprintf(line, sizeof line, "%lu 1 %s\n", id, failure) : snprintf(line, sizeof line, "%lu 0\n", id);
  if (n > (int)sizeof line - 1) { n = (int)sizeof line - 1; line[n - 1] = '\n'; }
  if (write(STDOUT_FILENO, line, (size_t)n) < 0) _exit(1); /* the agent is gone */
}

static void start(char *line, const sigset_t *mask) {
  char *argv[MAX_ARGS + 1];
  int argc = 0;
  char *p = line;
  while (p && argc < MAX_ARGS) {
    argv[argc++] = p;
    p = strchr(p, '\t');
    if (p) *p++ = 0;
  }
  argv[argc] = NULL;
  unsigned long id = strtoul(argv[0], NULL, 10);
  if (p) { answer(id, "too many arguments"); return; }
  pid_t pid = fork();
  if (pid < 0) { answer(id, strerror(errno)); return; }
  if (pid == 0) {
    sigprocmask(SIG_UNBLOCK, mask, NULL);
    int end;
    int rc = run_steps(argc, argv, 1, &end);
    if (rc > 0) snprintf(reason, sizeof reason, "--serve runs steps only, not a command");
    answer(id, rc == 0 ? NULL : reason);
    _exit(rc == 0 ? 0 : 125);
  }
  running[nrunning].pid = pid;
  running[nrunning].id = id;
  nrunning++;
}

/* A child that answered exits 0 or 125; one that died before answering is answered for here. */
static void reap(void) {
  int st;
  pid_t pid;
  while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
    for (int k = 0; k < nrunning; k++) {
      if (running[k].pid != pid) continue;
      if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 125)) {
        char why[64];
        snprintf(why, sizeof why, "the step process ended with %s %d", WIFSIGNALED(st) ? "signal" : "status",
                 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
        answer(running[k].id, why);
      }
      running[k] = running[--nrunning];
      break;
    }
  }
}

int serve(void) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC);
  if (sfd < 0) { perror("podling-nsexec: signalfd"); return 1; }
  static char buf[MAX_LINE];
  size_t len = 0;
  int eof = 0;
  for (;;) {
    char *nl;
    while (nrunning < MAX_RUNNING && (nl = memchr(buf, '\n', len))) {
      *nl = 0;
      start(buf, &chld);
      size_t used = (size_t)(nl + 1 - buf);
      memmove(buf, nl + 1, len - used);
      len -= used;
    }
    if (len == sizeof buf) { fprintf(stderr, "podling-nsexec: request longer than %d bytes\n", MAX_LINE); return 2; }
    if (eof && nrunning == 0) return 0;
    struct pollfd fds[2] = { { .fd = sfd, .events = POLLIN }, { .fd = STDIN_FILENO, .events = POLLIN } };
    nfds_t n = eof || nrunning >= MAX_RUNNING ? 1 : 2;
    if (poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      perror("podling-nsexec: poll");
      return 1;
    }
    if (fds[0].revents) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) < 0 && errno != EAGAIN) return 1;
      reap();
    }
    if (n == 2 && fds[1].revents) {
      ssize_t r = read(STDIN_FILENO, buf + len, sizeof buf - len);
      if (r <= 0) eof = 1; else len += (size_t)r;
    }
  }
}
