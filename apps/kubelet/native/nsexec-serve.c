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
 * The template mount namespace: a container's private mount namespace is a copy of the mount namespace it is made
 * from, and the host's holds two namespace pins per pod (netns and IPC bind mounts): copying them, then detaching
 * the netns ones, made each container start cost O(pods) — ~9 ms at 2,000 pins here against ~1 ms at 25. So the
 * server keeps one child, the holder, in a mount namespace of its own made at the first request: a private copy of
 * the agent's (nothing mounted later on the host propagates into it, so no later pin does either) with DIR (the
 * netns pin directory) and every namespace pin (nsfs mount) detached. Containers join it (--setns-mnt) and then
 * make their own from it, a copy of a few dozen mounts. The holder dies with the server (PR_SET_PDEATHSIG).
 *
 * Protocol, one line each, fields separated by tabs (arguments cannot contain tabs or newlines):
 *   stdin   <id> TAB STEP-ARG TAB STEP-ARG …      the steps of podling-nsexec (no `--` and no command)
 *   stdout  <id> 0                                 every step ran
 *           <id> 1 <reason>                        a step failed (or the child died): nothing after it ran
 *   stdin   <id> TAB --mnt-template TAB DIR        (run in the server itself) the template mount namespace:
 *   stdout  <id> 0 /proc/<pid>/ns/mnt <inode>      made on the first request, and again if its holder died
 *   stdin   <id> TAB --spawn TAB <n> TAB K=V ×n TAB STEP-ARG … TAB -- TAB FILE TAB ARG …
 *           (every field escaped: backslash, tab and newline as \\ \t \n) a container's wrapper: a fork of the
 *           server that makes itself a session leader, runs the steps as `podling-nsexec --error-env` does (a failing
 *           step puts its reason in PODLING_SETUP_ERROR) and execs FILE with exactly that environment
 *   stdout  <id> 0 <pid> <start time>              started (the start time is field 22 of /proc/<pid>/stat):
 *           answered once the fork has exec'd FILE (or died), so the pid the agent learns, and reports Running,
 *           is already in the container's namespaces and mounts: a `kubectl exec` or exec probe that comes at once
 *           enters those, never the host's (as runc sets a container's namespaces up before `runc start`)
 *           x <pid> e <code> | x <pid> s <signal>  later, once, when it ended (a wrapper outlives a server that ends)
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
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nsexec.h"

#define MAX_RUNNING 4
#define MAX_ARGS 8192
#define MAX_LINE (1 << 20)

static struct { pid_t pid; unsigned long id; } running[MAX_RUNNING];
static int nrunning;

/* Wrappers forked and not yet answered for: each holds the read end of a pipe whose write end the fork closes by
 * exec'ing (O_CLOEXEC) or by dying. Up to MAX_FORKING at once; further requests wait in the pipe. */
#define MAX_FORKING 64
static struct { pid_t pid; unsigned long id; int fd; unsigned long long start; } forking[MAX_FORKING];
static int nforking;

static void answer_line(const char *line, int n) {
  if (write(STDOUT_FILENO, line, (size_t)n) < 0) _exit(1); /* the agent is gone */
}

/* One write() below PIPE_BUF: concurrent children's answers never interleave. */
static void answer(unsigned long id, const char *failure) {
  char line[1400];
  int n = failure ? snprintf(line, sizeof line, "%lu 1 %s\n", id, failure) : snprintf(line, sizeof line, "%lu 0\n", id);
  if (n > (int)sizeof line - 1) { n = (int)sizeof line - 1; line[n - 1] = '\n'; }
  answer_line(line, n);
}

static void answer_data(unsigned long id, const char *data) {
  char line[160];
  answer_line(line, snprintf(line, sizeof line, "%lu 0 %s\n", id, data));
}

static pid_t holder;
static unsigned long long holder_ino;

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s) {
  char *o = s;
  for (; *s; s++) {
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) { *o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')); s += 3; }
    else *o++ = *s;
  }
  *o = 0;
}

/* In the holder: detaches DIR with everything under it, then every other namespace pin. */
static void detach_pins(const char *dir) {
  umount2(dir, MNT_DETACH);
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return;
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    char *mp = NULL, *fstype = NULL, *save = NULL;
    int field = 0, dash = 0;
    for (char *t = strtok_r(line, " \n", &save); t; t = strtok_r(NULL, " \n", &save), field++) {
      if (field == 4) mp = t;
      else if (dash) { fstype = t; break; }
      else if (field > 5 && !strcmp(t, "-")) dash = 1;
    }
    if (!mp || !fstype || strcmp(fstype, "nsfs")) continue;
    unescape(mp);
    umount2(mp, MNT_DETACH); /* one already gone with its parent: EINVAL, nothing to do */
  }
  free(line);
  fclose(f);
}

/* Answers the --mnt-template request: the holder's namespace, made first if there is no live holder. */
static void mnt_template(unsigned long id, const char *dir) {
  if (holder <= 0) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) { answer(id, strerror(errno)); return; }
    pid_t server = getpid();
    pid_t pid = fork();
    if (pid < 0) { close(p[0]); close(p[1]); answer(id, strerror(errno)); return; }
    if (pid == 0) {
      close(p[0]);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != server) _exit(0);
      int nul = open("/dev/null", O_RDWR | O_CLOEXEC); /* the agent sees the server's pipes end when it does */
      if (nul >= 0) { dup2(nul, STDIN_FILENO); dup2(nul, STDOUT_FILENO); }
      char ok = unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
      if (ok) detach_pins(dir);
      if (write(p[1], &ok, 1) < 0) _exit(1);
      close(p[1]);
      for (;;) pause();
    }
    close(p[1]);
    char ok = 0;
    ssize_t n = read(p[0], &ok, 1);
    close(p[0]);
    if (n != 1 || !ok) { kill(pid, SIGKILL); answer(id, "cannot make the template mount namespace"); return; }
    char ns[64];
    struct stat st;
    snprintf(ns, sizeof ns, "/proc/%d/ns/mnt", (int)pid);
    if (stat(ns, &st) < 0) { kill(pid, SIGKILL); answer(id, strerror(errno)); return; }
    holder = pid;
    holder_ino = (unsigned long long)st.st_ino;
  }
  char data[96];
  snprintf(data, sizeof data, "/proc/%d/ns/mnt %llu", (int)holder, holder_ino);
  answer_data(id, data);
}

/* Containers' wrappers this server started and has not reaped: their end is reported (x lines). */
static pid_t *wrappers;
static size_t nwrappers, capwrappers;

static void unescape_field(char *s) {
  char *o = s;
  for (; *s; s++) {
    if (s[0] == '\\' && s[1]) { s++; *o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s; }
    else *o++ = *s;
  }
  *o = 0;
}

static unsigned long long proc_start(pid_t pid) {
  char path[64], stat[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, stat, sizeof stat - 1);
  close(fd);
  if (n <= 0) return 0;
  stat[n] = 0;
  char *p = strrchr(stat, ')');
  /* after ") " come fields 3, 4, …: the start time is field 22 */
  for (int field = 2; p && field < 22; field++) p = strchr(p + 1, ' ');
  return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* argv: "--spawn" n K=V… steps… "--" FILE ARG… (unescaped). */
static void spawn_wrapper(unsigned long id, int argc, char **argv) {
  int nenv = argc > 1 ? atoi(argv[1]) : -1;
  if (nenv < 0 || 2 + nenv > argc) { answer(id, "--spawn: bad environment count"); return; }
  char **envp = calloc((size_t)nenv + 2, sizeof *envp);
  if (!envp || (nwrappers == capwrappers && !(wrappers = realloc(wrappers, (capwrappers = capwrappers * 2 + 64) * sizeof *wrappers)))) {
    answer(id, "out of memory");
    exit(1);
  }
  for (int k = 0; k < nenv; k++) envp[k] = argv[2 + k];
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) { free(envp); answer(id, strerror(errno)); return; }
  pid_t pid = fork();
  if (pid < 0) { close(p[0]); close(p[1]); free(envp); answer(id, strerror(errno)); return; }
  if (pid == 0) {
    close(p[0]);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setsid();
    int nul = open("/dev/null", O_RDWR);
    if (nul >= 0) { dup2(nul, 0); dup2(nul, 1); dup2(nul, 2); if (nul > 2) close(nul); }
    if (chdir("/") < 0) _exit(127);
    int end;
    int rc = run_steps(argc, argv, 2 + nenv, &end);
    static char setup_error[1300];
    if (rc < 0) {
      snprintf(setup_error, sizeof setup_error, "PODLING_SETUP_ERROR=%s", reason);
      envp[nenv] = setup_error;
      while (end < argc && strcmp(argv[end], "--")) end++;
    }
    if (end >= argc - 1) _exit(125);
    execve(argv[end + 1], argv + end + 1, envp);
    _exit(127);
  }
  close(p[1]);
  free(envp);
  wrappers[nwrappers++] = pid;
  forking[nforking].pid = pid;
  forking[nforking].id = id;
  forking[nforking].fd = p[0];
  forking[nforking].start = proc_start(pid);
  nforking++;
}

/* Answers for the wrapper forking[k] (it exec'd or died) and forgets it. */
static void forked(int k) {
  char data[64];
  snprintf(data, sizeof data, "%d %llu", (int)forking[k].pid, forking[k].start);
  answer_data(forking[k].id, data);
  close(forking[k].fd);
  forking[k] = forking[--nforking];
}

static void start(char *line, const sigset_t *mask) {
  static char *argv[MAX_ARGS + 1];
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
  if (argc == 3 && !strcmp(argv[1], "--mnt-template")) { mnt_template(id, argv[2]); return; }
  if (argc > 1 && !strcmp(argv[1], "--spawn")) {
    for (int k = 1; k < argc; k++) unescape_field(argv[k]);
    spawn_wrapper(id, argc - 1, argv + 1);
    return;
  }
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
    if (pid == holder) holder = 0;
    for (size_t k = 0; k < nwrappers; k++) {
      if (wrappers[k] != pid) continue;
      wrappers[k] = wrappers[--nwrappers];
      for (int f = 0; f < nforking; f++) if (forking[f].pid == pid) { forked(f); break; } /* its start comes first */
      char line[64];
      int n = WIFSIGNALED(st) ? snprintf(line, sizeof line, "x %d s %d\n", (int)pid, WTERMSIG(st))
                              : snprintf(line, sizeof line, "x %d e %d\n", (int)pid, WEXITSTATUS(st));
      answer_line(line, n);
      break;
    }
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

static int end_holder(int rc) {
  if (holder > 0 && kill(holder, SIGKILL) == 0) waitpid(holder, NULL, 0);
  holder = 0;
  return rc;
}

int serve(void) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigaddset(&chld, SIGTERM); /* read below, so the holder is reaped here rather than left to init */
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC);
  if (sfd < 0) { perror("podling-nsexec: signalfd"); return 1; }
  static char buf[MAX_LINE];
  size_t len = 0;
  int eof = 0;
  for (;;) {
    char *nl;
    while (nrunning < MAX_RUNNING && nforking < MAX_FORKING && (nl = memchr(buf, '\n', len))) {
      *nl = 0;
      start(buf, &chld);
      size_t used = (size_t)(nl + 1 - buf);
      memmove(buf, nl + 1, len - used);
      len -= used;
    }
    if (len == sizeof buf) { fprintf(stderr, "podling-nsexec: request longer than %d bytes\n", MAX_LINE); return 2; }
    if (eof && nrunning == 0 && nforking == 0) return end_holder(0);
    struct pollfd fds[2 + MAX_FORKING] = { { .fd = sfd, .events = POLLIN }, { .fd = STDIN_FILENO, .events = POLLIN } };
    int reading = !eof && nrunning < MAX_RUNNING && nforking < MAX_FORKING;
    if (!reading) fds[1].fd = -1; /* poll skips it */
    for (int k = 0; k < nforking; k++) fds[2 + k] = (struct pollfd){ .fd = forking[k].fd, .events = POLLIN };
    int waiting = nforking;
    if (poll(fds, 2 + (nfds_t)waiting, -1) < 0) {
      if (errno == EINTR) continue;
      perror("podling-nsexec: poll");
      return 1;
    }
    /* Forks that exec'd or died (their pipe's end is closed), latest first: forked() moves the last one into k. */
    for (int k = waiting - 1; k >= 0; k--) {
      if (fds[2 + k].revents && k < nforking && forking[k].fd == fds[2 + k].fd) forked(k);
    }
    if (fds[0].revents) {
      struct signalfd_siginfo si = { 0 };
      if (read(sfd, &si, sizeof si) < 0 && errno != EAGAIN) return 1;
      if (si.ssi_signo == SIGTERM) return end_holder(0);
      reap();
    }
    if (reading && fds[1].revents) {
      ssize_t r = read(STDIN_FILENO, buf + len, sizeof buf - len);
      if (r <= 0) eof = 1; else len += (size_t)r;
    }
  }
}
