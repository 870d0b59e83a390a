#ifndef WAYMARK_INTERRUPT_NOTE_H
#define WAYMARK_INTERRUPT_NOTE_H

/// What `waymark build` says when Ctrl-C or a SIGTERM stops it: whether the output was being updated
/// in place (some files new, some old: the next build starts from scratch and puts it right) or is
/// whole. The handler only writes a fixed message and ends the process as the signal would, so it
/// calls nothing that is unsafe in a signal handler.
void waymark_install_interrupt_note(void);
/// Set while a cached build updates the output in place (1), and after (0).
void waymark_set_updating_output(int updating);

#endif
