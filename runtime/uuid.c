/*
 * uuid.c — asl_uuid4: a random (version 4) UUID, for States.UUID and for the
 * runtime's own names (an execution's, a ResultWriter's run, a Task's
 * request id).  Apart from intrinsics.c so that what names an execution
 * (exec.c) does not pull in every intrinsic function.
 */
#define _GNU_SOURCE
#include "rt.h"

#include <errno.h>
#include <sys/random.h>

bool asl_uuid4(char out[37])
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t r = getrandom(b + got, sizeof b - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            out[0] = 0;
            return false;
        }
        got += (size_t)r;
    }
    asl_uuid4_of(b, out);
    return true;
}

void asl_uuid4_of(unsigned char b[16], char out[37])
{
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = 0;
}
