/*
 * report.h — ./wf --report FILE.html, the execution as one page (report.c),
 * and the progress line on a terminal (progress.c); docs/history.md.
 */
#ifndef ASL_REPORT_H
#define ASL_REPORT_H

#include "rt.h"

/* The page of the execution whose history events (JSON Lines, n bytes) are
 * events, for the state machine called name, appended to b. */
void asl_report_page(asl_buf *b, const char *name, const char *events, size_t n);
/* The page written to path (replacing it); false with errno set. */
bool asl_report_save(const char *path, const char *name, const char *events, size_t n);

/* The progress line on stderr, a terminal (progress.c): a thread that
 * redraws it from h's live part (history.h) until asl_progress_stop, which
 * erases it.  NULL when the thread cannot start (then there is no line). */
typedef struct asl_progress asl_progress;
asl_progress *asl_progress_start(struct asl_hist *h, const char *name);
void asl_progress_stop(asl_progress *p);   /* p may be NULL */

#endif
