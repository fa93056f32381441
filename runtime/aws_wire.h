/*
 * aws_wire.h — AWS's wire protocols (json, rest-json, rest-xml, query),
 * driven by an operation's API model as aslc put it in the binding
 * (compiler/aws_model.c).  Private to the runtime's AWS client.
 */
#ifndef ASL_AWS_WIRE_H
#define ASL_AWS_WIRE_H

#include "aws.h"

typedef struct {
    const char *method;
    char *url;
    const char *headers[48];   /* "Name: value", NULL-terminated */
    size_t nheaders;
    char *body;                /* may be NULL */
    size_t body_len;
} asl_aws_wire_req;

/* The request of the call d describes with params (the task's effective
 * parameters), against the endpoint base (no trailing slash).  false with a
 * message in err when params lack what the URI needs. */
bool asl_aws_wire_request(asl_arena *a, const asl_value *d, asl_value *params, const char *base,
                          asl_aws_wire_req *rq, asl_buf *err);

/* A successful response as Step Functions' result; NULL with a message in
 * err when the body cannot be read. */
asl_value *asl_aws_wire_result(asl_arena *a, const asl_value *d, const asl_aws_response *r,
                               asl_buf *err);

/* The error code and message of a failed response. */
void asl_aws_wire_error(asl_arena *a, const asl_value *d, const asl_aws_response *r,
                        const char **code, const char **msg);

#endif
