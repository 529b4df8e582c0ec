/* What podling-nsexec's two modes share: the steps (podling-nsexec.c) and the long-lived server (nsexec-serve.c). */
#ifndef PODLING_NSEXEC_H
#define PODLING_NSEXEC_H

/* Why the last step failed. */
extern char reason[1200];

/* Runs the steps of argv[start…]; 0 when all ran, 1 at a `--` (its index in *end), -1 failed (reason set). */
int run_steps(int argc, char **argv, int start, int *end);

/* --serve: reads requests on stdin until it ends; returns the exit code. */
int serve(void);

#endif
