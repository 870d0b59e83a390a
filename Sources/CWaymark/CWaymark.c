// Everything is in the headers under include/ (inlined into Swift); a C target needs one source file.
#include "ByteClasses.h"
#include "FormatDouble.h"
#include "InterruptNote.h"

#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t waymark_updating_output = 0;

void waymark_set_updating_output(int updating) { waymark_updating_output = updating; }

static void waymark_on_interrupt(int sig) {
    static const char updating[] =
        "\nwaymark: interrupted while updating the output in place: some files are new, some old; "
        "the next build starts from scratch and puts it right\n";
    static const char whole[] =
        "\nwaymark: interrupted; the output folder is whole (the previous build's, or this one's if it was already in place)\n";
    if (waymark_updating_output) {
        (void)!write(2, updating, sizeof updating - 1);
    } else {
        (void)!write(2, whole, sizeof whole - 1);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void waymark_install_interrupt_note(void) {
    signal(SIGINT, waymark_on_interrupt);
    signal(SIGTERM, waymark_on_interrupt);
}
