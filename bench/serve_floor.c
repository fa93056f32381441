/*
 * serve_floor.c — the floor for bench/serve_load.sh: an HTTP server on the
 * same library and in the same mode as `aslc serve` (libmicrohttpd, a
 * thread per connection, keep-alive) that reads the request body and
 * answers {} with the AWS JSON 1.0 headers.  What `aslc serve` adds above
 * it is the API and the execution.
 *
 *   cc -O2 bench/serve_floor.c -lmicrohttpd -o serve_floor && ./serve_floor [PORT]
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls, (void)url, (void)method, (void)version, (void)upload;
    if (!*con_cls) {
        *con_cls = con;   /* the headers: the body comes next */
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    static const char body[] = "{}";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/x-amz-json-1.0");
    enum MHD_Result ok = MHD_queue_response(con, 200, r);
    MHD_destroy_response(r);
    return ok;
}

int main(int argc, char **argv)
{
    unsigned port = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL,
        NULL, on_request, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_END);
    if (!d) {
        perror("serve_floor");
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("%u\n", info ? info->port : port);   /* port 0: the one picked */
    fflush(stdout);
    pause();
    MHD_stop_daemon(d);
    return 0;
}
