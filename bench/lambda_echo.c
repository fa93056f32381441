/*
 * lambda_echo.c — the least a Lambda Invoke endpoint can cost: one thread,
 * one kept connection at a time, the benchmark's fnN functions (value + 1)
 * answered from the request body with no JSON library.  With it,
 * bench/aws_overhead.sh measures what the HTTP path costs the workflow
 * binary itself (building and signing the request, libcurl, the loopback,
 * reading the answer), the server's share being a few microseconds.
 * Prints its port; by hand only.
 *
 *   cc -O2 -o lambda_echo bench/lambda_echo.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Serves one connection until the client closes it. */
static void serve(int c)
{
    static char buf[1 << 16];
    size_t have = 0;
    for (;;) {
        char *end = have ? memmem(buf, have, "\r\n\r\n", 4) : NULL;
        if (end) {
            size_t head = (size_t)(end + 4 - buf);
            const char *cl = memmem(buf, head, "Content-Length:", 15);
            size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0;
            if (have >= head + body) {
                /* {"value": N} -> {"value": N + 1} */
                const char *v = memmem(buf + head, body, "\"value\":", 8);
                long n = v ? strtol(v + 8, NULL, 10) : 0;
                char out[256], msg[64];
                int m = snprintf(msg, sizeof msg, "{\"value\":%ld}", n + 1);
                int k = snprintf(out, sizeof out,
                                 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 "X-Amz-Executed-Version: $LATEST\r\nx-amzn-RequestId: bench\r\n"
                                 "Content-Length: %d\r\n\r\n%s", m, msg);
                if (write(c, out, (size_t)k) != k) return;
                memmove(buf, buf + head + body, have - head - body);
                have -= head + body;
                continue;
            }
        }
        ssize_t r = read(c, buf + have, sizeof buf - have);
        if (r <= 0) return;
        have += (size_t)r;
    }
}

int main(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 16) ||
        getsockname(s, (struct sockaddr *)&a, &len)) {
        perror("lambda_echo");
        return 1;
    }
    printf("%d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0) continue;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        serve(c);
        close(c);
    }
}
