/*
 * aws_wire.c — AWS's five wire protocols, driven by the service's API model:
 * a Task's parameters (JSON, PascalCase member names) become one HTTP
 * request, and the response becomes the JSON result Step Functions gives.
 *
 *   json       POST /, X-Amz-Target, the parameters as a JSON body;
 *   rest-json  members to the URI ({Label}, {Label+}), the query string and
 *              headers as the model places them, the rest as a JSON body;
 *   rest-xml   the same with an XML body (S3);
 *   query      Action=Op&Version=V and the parameters flattened into form
 *              fields (Prefix.member.N, Prefix.entry.N.key), XML responses;
 *   ec2        the query protocol with EC2's names (queryName, or the
 *              locationName capitalised), every list flattened (Name.N), and
 *              the response's members right under its root; errors in
 *              <Response><Errors><Error>.
 *
 * The model comes from the binding (compiler/aws_model.c): "shapes" holds
 * every shape the operation's input and output reach.  Where a parameter is
 * a string in the model and the workflow gives JSON, the JSON text is sent,
 * as Step Functions serialises it.  XML is read with libxml2.
 */
#define _GNU_SOURCE
#include "aws_wire.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

/* ---- the model ---------------------------------------------------------------- */

static bool flag(const asl_value *o, const char *k)
{
    const asl_value *v = o && o->type == ASL_OBJECT ? asl_object_get(o, k, strlen(k)) : NULL;
    return v && v->type == ASL_TRUE;
}

static const asl_value *shape_named(const asl_value *d, const char *name)
{
    const asl_value *shapes = asl_object_get(d, "shapes", 6);
    return name && shapes ? asl_object_get(shapes, name, strlen(name)) : NULL;
}

/* The shape a member reference ({"shape": ...}) points at. */
static const asl_value *ref_shape(const asl_value *d, const asl_value *ref)
{
    return shape_named(d, asl_aws_str(ref, "shape"));
}

static const char *type_of(const asl_value *shape)
{
    const char *t = asl_aws_str(shape, "type");
    return t ? t : "string";
}

/* Step Functions writes every member name in PascalCase, even where the
 * service's own names are camelCase (ECS's "cluster" is "Cluster" in a
 * workflow, and in its results): a member's name as Step Functions shows it. */
static const char *pascal(asl_arena *a, const char *name, size_t n)
{
    if (!n || !(name[0] >= 'a' && name[0] <= 'z')) return name;
    char *p = asl_strndup(a, name, n);
    p[0] = (char)(p[0] - 'a' + 'A');
    return p;
}

/* Whether key (as the workflow wrote it) names the member called name. */
static bool names_member(const char *key, size_t klen, const char *name, size_t nlen)
{
    if (klen != nlen || !klen) return false;
    if (memcmp(key + 1, name + 1, klen - 1) != 0) return false;
    return key[0] == name[0] || (name[0] >= 'a' && name[0] <= 'z' && key[0] == name[0] - 'a' + 'A');
}

/* The shape's member that key names, or NULL. */
static const asl_member *member_for(const asl_value *shape, const char *key, size_t klen)
{
    const asl_value *members = asl_object_get(shape, "members", 7);
    for (uint32_t i = 0; members && i < members->len; i++)
        if (names_member(key, klen, members->u.o.members[i].key, members->u.o.members[i].klen))
            return &members->u.o.members[i];
    return NULL;
}

/* The workflow's value for the member called name, or NULL. */
static const asl_value *param_of(const asl_value *params, const asl_member *m)
{
    if (!params || params->type != ASL_OBJECT) return NULL;
    for (uint32_t i = 0; i < params->len; i++)
        if (names_member(params->u.o.members[i].key, params->u.o.members[i].klen, m->key, m->klen))
            return params->u.o.members[i].val;
    return NULL;
}

/* ---- text of values --------------------------------------------------------- */

/* A scalar's text on the wire: strings as they are, anything else as JSON
 * text (numbers, booleans; a JSON value given for a string). */
static const char *scalar_text(asl_arena *a, const asl_value *v, size_t *n)
{
    if (v->type == ASL_STRING) {
        *n = v->len;
        return v->u.str;
    }
    return asl_json_string(a, v, n);
}

static void put_xml_text(asl_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '<': asl_buf_puts(b, "&lt;"); break;
        case '>': asl_buf_puts(b, "&gt;"); break;
        case '&': asl_buf_puts(b, "&amp;"); break;
        case '"': asl_buf_puts(b, "&quot;"); break;
        case '\r': asl_buf_puts(b, "&#13;"); break;
        default: asl_buf_putc(b, s[i]);
        }
    }
}

/* ---- JSON bodies -------------------------------------------------------------- */

/* Which way a JSON value crosses the wire (json_shaped). */
typedef enum {
    TO_WIRE,           /* a request body: member names as the service spells them */
    TO_WIRE_BODY,      /* the same, without members placed in the URI, query or headers */
    FROM_WIRE          /* a response: member names in PascalCase, as Step Functions gives */
} wire_dir;

/* The member of a structure that a response names by its wire name. */
static const asl_member *member_on_wire(const asl_value *shape, const char *key, size_t klen)
{
    const asl_value *members = asl_object_get(shape, "members", 7);
    for (uint32_t k = 0; members && k < members->len; k++) {
        const asl_member *c = &members->u.o.members[k];
        const char *wire = asl_aws_str(c->val, "locationName") ? asl_aws_str(c->val, "locationName") : c->key;
        if (strlen(wire) == klen && !memcmp(wire, key, klen)) return c;
    }
    return NULL;
}

/* v carried by its shape, recursively through structures, lists and maps
 * (map keys and members the model does not have stay as they are).  To the
 * wire, a non-string given for a string member becomes its JSON text and a
 * member takes the name the service spells it with; from the wire, members
 * take Step Functions' PascalCase names. */
static asl_value *json_shaped(asl_arena *a, const asl_value *d, const asl_value *shape,
                              asl_value *v, wire_dir dir)
{
    const char *t = type_of(shape);
    if (!shape) return v;
    if (dir != FROM_WIRE && !strcmp(t, "string") && v->type != ASL_STRING) {
        size_t n;
        char *text = asl_json_string(a, v, &n);
        return asl_string(a, text, n);
    }
    wire_dir inner = dir == FROM_WIRE ? FROM_WIRE : TO_WIRE;
    if (!strcmp(t, "structure") && v->type == ASL_OBJECT) {
        asl_value *out = asl_object(a, v->len);
        for (uint32_t i = 0; i < v->len; i++) {
            const asl_member *m = &v->u.o.members[i];
            const asl_member *mm = dir == FROM_WIRE ? member_on_wire(shape, m->key, m->klen)
                                                    : member_for(shape, m->key, m->klen);
            if (!mm) {
                asl_object_set(a, out, m->key, m->klen, m->val);
                continue;
            }
            if (dir == TO_WIRE_BODY && asl_aws_str(mm->val, "location")) continue;
            const char *name = dir == FROM_WIRE ? pascal(a, mm->key, mm->klen)
                             : asl_aws_str(mm->val, "locationName") ? asl_aws_str(mm->val, "locationName")
                                                            : mm->key;
            asl_object_set(a, out, name, strlen(name),
                           json_shaped(a, d, ref_shape(d, mm->val), m->val, inner));
        }
        return out;
    }
    if (!strcmp(t, "list") && v->type == ASL_ARRAY) {
        const asl_value *item = ref_shape(d, asl_object_get(shape, "member", 6));
        asl_value *out = asl_array(a, v->len);
        for (uint32_t i = 0; i < v->len; i++)
            asl_array_push(a, out, json_shaped(a, d, item, v->u.a.items[i], inner));
        return out;
    }
    if (!strcmp(t, "map") && v->type == ASL_OBJECT) {
        const asl_value *val = ref_shape(d, asl_object_get(shape, "value", 5));
        asl_value *out = asl_object(a, v->len);
        for (uint32_t i = 0; i < v->len; i++)
            asl_object_set(a, out, v->u.o.members[i].key, v->u.o.members[i].klen,
                           json_shaped(a, d, val, v->u.o.members[i].val, inner));
        return out;
    }
    return v;
}

/* ---- XML bodies (rest-xml) ------------------------------------------------------ */

static void xml_value(asl_arena *a, asl_buf *b, const asl_value *d, const asl_value *shape,
                      const char *name, const asl_value *v, const char *ns);

static void xml_open(asl_buf *b, const char *name, const char *ns)
{
    asl_buf_putc(b, '<');
    asl_buf_puts(b, name);
    if (ns) {
        asl_buf_puts(b, " xmlns=\"");
        asl_buf_puts(b, ns);
        asl_buf_putc(b, '"');
    }
    asl_buf_putc(b, '>');
}

static void xml_close(asl_buf *b, const char *name)
{
    asl_buf_puts(b, "</");
    asl_buf_puts(b, name);
    asl_buf_putc(b, '>');
}

static void xml_members(asl_arena *a, asl_buf *b, const asl_value *d, const asl_value *shape,
                        const asl_value *v)
{
    const asl_value *members = asl_object_get(shape, "members", 7);
    for (uint32_t i = 0; members && i < members->len; i++) {
        const asl_member *m = &members->u.o.members[i];
        const asl_value *val = param_of(v, m);
        if (!val || asl_aws_str(m->val, "location") || flag(m->val, "xmlAttribute")) continue;
        const char *wire = asl_aws_str(m->val, "locationName") ? asl_aws_str(m->val, "locationName") : m->key;
        const asl_value *ms = ref_shape(d, m->val);
        if (!strcmp(type_of(ms), "list") && (flag(ms, "flattened") || flag(m->val, "flattened")) &&
            val->type == ASL_ARRAY) {
            const asl_value *item = ref_shape(d, asl_object_get(ms, "member", 6));
            for (uint32_t k = 0; k < val->len; k++)
                xml_value(a, b, d, item, wire, val->u.a.items[k], NULL);
        } else {
            xml_value(a, b, d, ms, wire, val, NULL);
        }
    }
}

static void xml_value(asl_arena *a, asl_buf *b, const asl_value *d, const asl_value *shape,
                      const char *name, const asl_value *v, const char *ns)
{
    const char *t = type_of(shape);
    xml_open(b, name, ns);
    if (!strcmp(t, "structure") && v->type == ASL_OBJECT) {
        xml_members(a, b, d, shape, v);
    } else if (!strcmp(t, "list") && v->type == ASL_ARRAY) {
        const asl_value *mref = asl_object_get(shape, "member", 6);
        const char *iname = asl_aws_str(mref, "locationName") ? asl_aws_str(mref, "locationName") : "member";
        for (uint32_t i = 0; i < v->len; i++)
            xml_value(a, b, d, ref_shape(d, mref), iname, v->u.a.items[i], NULL);
    } else if (!strcmp(t, "map") && v->type == ASL_OBJECT) {
        const asl_value *kref = asl_object_get(shape, "key", 3);
        const asl_value *vref = asl_object_get(shape, "value", 5);
        const char *kn = asl_aws_str(kref, "locationName") ? asl_aws_str(kref, "locationName") : "key";
        const char *vn = asl_aws_str(vref, "locationName") ? asl_aws_str(vref, "locationName") : "value";
        for (uint32_t i = 0; i < v->len; i++) {
            asl_buf_puts(b, "<entry>");
            xml_open(b, kn, NULL);
            put_xml_text(b, v->u.o.members[i].key, v->u.o.members[i].klen);
            xml_close(b, kn);
            xml_value(a, b, d, ref_shape(d, vref), vn, v->u.o.members[i].val, NULL);
            asl_buf_puts(b, "</entry>");
        }
    } else {
        size_t n;
        const char *text = scalar_text(a, v, &n);
        put_xml_text(b, text, n);
    }
    xml_close(b, name);
}

/* ---- query form fields ------------------------------------------------------------ */

static void form_field(asl_buf *b, const char *key, const char *val, size_t n)
{
    asl_buf_putc(b, '&');
    asl_aws_pct(b, key, strlen(key), false);
    asl_buf_putc(b, '=');
    asl_aws_pct(b, val, n, false);
}

/* A member's name in the form.  ec2 (botocore's EC2Serializer): its
 * queryName, else its locationName with the first letter in upper case,
 * else its name; query: its locationName, else its name. */
static const char *form_name(asl_arena *a, const asl_member *mm, const char *key, bool ec2)
{
    const asl_value *ref = mm ? mm->val : NULL;
    const char *ln = ref ? asl_aws_str(ref, "locationName") : NULL;
    if (ec2 && ref && asl_aws_str(ref, "queryName")) return asl_aws_str(ref, "queryName");
    if (ec2 && ln && *ln) {
        char *up = asl_strndup(a, ln, strlen(ln));
        up[0] = (char)toupper((unsigned char)up[0]);
        return up;
    }
    return ln ? ln : mm ? mm->key : key;
}

/* The parameters v as form fields: the query protocol's rules, or with ec2
 * the EC2 protocol's (names as form_name says, every list flattened as
 * Name.N and an empty one left out). */
static void query_value(asl_arena *a, asl_buf *b, const asl_value *d, const asl_value *shape,
                        const char *prefix, const asl_value *v, bool flattened, bool ec2)
{
    const char *t = type_of(shape);
    if (!strcmp(t, "structure") && v->type == ASL_OBJECT) {
        for (uint32_t i = 0; i < v->len; i++) {
            const asl_member *m = &v->u.o.members[i];
            const asl_member *mm = member_for(shape, m->key, m->klen);
            const asl_value *ref = mm ? mm->val : NULL;
            const char *wire = form_name(a, mm, m->key, ec2);
            char *key = *prefix ? asl_sprintf(a, "%s.%s", prefix, wire) : (char *)wire;
            query_value(a, b, d, ref ? ref_shape(d, ref) : NULL, key, m->val,
                        ref && flag(ref, "flattened"), ec2);
        }
    } else if (!strcmp(t, "list") && v->type == ASL_ARRAY) {
        const asl_value *mref = asl_object_get(shape, "member", 6);
        if (v->len == 0 && !ec2) form_field(b, prefix, "", 0);
        bool flat = flattened || ec2 || flag(shape, "flattened");
        const char *iname = asl_aws_str(mref, "locationName") ? asl_aws_str(mref, "locationName") : "member";
        for (uint32_t i = 0; i < v->len; i++) {
            char *key = flat ? asl_sprintf(a, "%s.%u", prefix, i + 1)
                             : asl_sprintf(a, "%s.%s.%u", prefix, iname, i + 1);
            query_value(a, b, d, ref_shape(d, mref), key, v->u.a.items[i], false, ec2);
        }
    } else if (!strcmp(t, "map") && v->type == ASL_OBJECT) {
        const asl_value *kref = asl_object_get(shape, "key", 3);
        const asl_value *vref = asl_object_get(shape, "value", 5);
        const char *kn = asl_aws_str(kref, "locationName") ? asl_aws_str(kref, "locationName") : "key";
        const char *vn = asl_aws_str(vref, "locationName") ? asl_aws_str(vref, "locationName") : "value";
        bool flat = flattened || flag(shape, "flattened");
        for (uint32_t i = 0; i < v->len; i++) {
            const asl_member *m = &v->u.o.members[i];
            char *entry = flat ? asl_sprintf(a, "%s.%u", prefix, i + 1)
                               : asl_sprintf(a, "%s.entry.%u", prefix, i + 1);
            form_field(b, asl_sprintf(a, "%s.%s", entry, kn), m->key, m->klen);
            query_value(a, b, d, ref_shape(d, vref), asl_sprintf(a, "%s.%s", entry, vn), m->val,
                        false, ec2);
        }
    } else {
        size_t n;
        const char *text = scalar_text(a, v, &n);
        form_field(b, prefix, text, n);
    }
}

/* ---- the request --------------------------------------------------------------- */

static void add_header(asl_arena *a, asl_aws_wire_req *rq, const char *name, const char *val,
                       size_t n)
{
    if (rq->nheaders + 1 >= sizeof rq->headers / sizeof *rq->headers) return;
    rq->headers[rq->nheaders++] = asl_sprintf(a, "%s: %.*s", name, (int)n, val);
    rq->headers[rq->nheaders] = NULL;
}

/* The path of a rest request: {Label} and {Label+} filled, the model's own
 * query (S3's "?list-type=2") kept for the query string. */
static bool rest_path(asl_arena *a, const asl_value *in_shape, const asl_value *params,
                      const char *uri, asl_buf *path, asl_buf *query, asl_buf *err)
{
    const char *q = strchr(uri, '?');
    size_t ulen = q ? (size_t)(q - uri) : strlen(uri);
    if (q) asl_buf_puts(query, q + 1);
    const asl_value *members = asl_object_get(in_shape, "members", 7);
    for (size_t i = 0; i < ulen; i++) {
        if (uri[i] != '{') {
            asl_buf_putc(path, uri[i]);
            continue;
        }
        const char *close = memchr(uri + i, '}', ulen - i);
        if (!close) break;
        size_t n = (size_t)(close - uri - i - 1);
        bool greedy = n > 0 && uri[i + n] == '+';
        char *label = asl_strndup(a, uri + i + 1, greedy ? n - 1 : n);
        const asl_value *v = NULL;
        for (uint32_t k = 0; members && k < members->len; k++) {
            const asl_member *m = &members->u.o.members[k];
            const char *ln = asl_aws_str(m->val, "locationName");
            if (asl_aws_str(m->val, "location") && !strcmp(asl_aws_str(m->val, "location"), "uri") && ln &&
                !strcmp(ln, label))
                v = param_of(params, m);
        }
        if (!v) {
            asl_buf_puts(err, "the parameter that fills {");
            asl_buf_puts(err, label);
            asl_buf_puts(err, "} of the request URI is missing");
            return false;
        }
        size_t tn;
        const char *text = scalar_text(a, v, &tn);
        asl_aws_pct(path, text, tn, greedy);
        i += n + 1;
    }
    return true;
}

static void rest_located(asl_arena *a, const asl_value *d, const asl_value *in_shape,
                         const asl_value *params, asl_buf *query, asl_aws_wire_req *rq)
{
    const asl_value *members = asl_object_get(in_shape, "members", 7);
    for (uint32_t k = 0; members && k < members->len; k++) {
        const asl_member *m = &members->u.o.members[k];
        const char *loc = asl_aws_str(m->val, "location");
        const asl_value *v = param_of(params, m);
        if (!loc || !v) continue;
        const char *ln = asl_aws_str(m->val, "locationName") ? asl_aws_str(m->val, "locationName") : m->key;
        if (!strcmp(loc, "querystring")) {
            if (v->type == ASL_ARRAY) {
                for (uint32_t i = 0; i < v->len; i++) {
                    size_t n;
                    const char *t = scalar_text(a, v->u.a.items[i], &n);
                    if (query->len) asl_buf_putc(query, '&');
                    asl_aws_pct(query, ln, strlen(ln), false);
                    asl_buf_putc(query, '=');
                    asl_aws_pct(query, t, n, false);
                }
            } else if (v->type == ASL_OBJECT && !strcmp(type_of(ref_shape(d, m->val)), "map")) {
                for (uint32_t i = 0; i < v->len; i++) {
                    size_t n;
                    const char *t = scalar_text(a, v->u.o.members[i].val, &n);
                    if (query->len) asl_buf_putc(query, '&');
                    asl_aws_pct(query, v->u.o.members[i].key, v->u.o.members[i].klen, false);
                    asl_buf_putc(query, '=');
                    asl_aws_pct(query, t, n, false);
                }
            } else {
                size_t n;
                const char *t = scalar_text(a, v, &n);
                if (query->len) asl_buf_putc(query, '&');
                asl_aws_pct(query, ln, strlen(ln), false);
                asl_buf_putc(query, '=');
                asl_aws_pct(query, t, n, false);
            }
        } else if (!strcmp(loc, "header")) {
            size_t n;
            const char *t = scalar_text(a, v, &n);
            add_header(a, rq, ln, t, n);
        } else if (!strcmp(loc, "headers") && v->type == ASL_OBJECT) {
            for (uint32_t i = 0; i < v->len; i++) {
                size_t n;
                const char *t = scalar_text(a, v->u.o.members[i].val, &n);
                add_header(a, rq, asl_sprintf(a, "%s%s", ln, v->u.o.members[i].key), t, n);
            }
        }
    }
}

bool asl_aws_wire_request(asl_arena *a, const asl_value *d, asl_value *params, const char *base,
                          asl_aws_wire_req *rq, asl_buf *err)
{
    memset(rq, 0, sizeof *rq);
    const char *proto = asl_aws_str(d, "protocol");
    const asl_value *in_shape = shape_named(d, asl_aws_str(d, "input"));
    if (!params) params = asl_object(a, 0);
    rq->method = "POST";

    if (!strcmp(proto, "json")) {
        rq->url = asl_sprintf(a, "%s/", base);
        const char *jv = asl_aws_str(d, "json_version");
        rq->headers[rq->nheaders++] = asl_sprintf(a, "Content-Type: application/x-amz-json-%s",
                                                  jv ? jv : "1.0");
        rq->headers[rq->nheaders++] = asl_sprintf(a, "X-Amz-Target: %s", asl_aws_str(d, "target"));
        asl_value *body = in_shape ? json_shaped(a, d, in_shape, params, TO_WIRE) : params;
        rq->body = asl_json_string(a, body, &rq->body_len);
        return true;
    }
    if (!strcmp(proto, "query") || !strcmp(proto, "ec2")) {
        rq->url = asl_sprintf(a, "%s/", base);
        rq->headers[rq->nheaders++] = "Content-Type: application/x-www-form-urlencoded; charset=utf-8";
        asl_buf b;
        asl_buf_init(&b);
        asl_buf_puts(&b, "Action=");
        asl_buf_puts(&b, asl_aws_str(d, "operation"));
        asl_buf_puts(&b, "&Version=");
        asl_buf_puts(&b, asl_aws_str(d, "api_version") ? asl_aws_str(d, "api_version") : "");
        query_value(a, &b, d, in_shape, "", params, false, !strcmp(proto, "ec2"));
        rq->body = asl_strndup(a, b.data, b.len);
        rq->body_len = b.len;
        asl_buf_free(&b);
        return true;
    }

    /* rest-json, rest-xml */
    bool xml = !strcmp(proto, "rest-xml");
    rq->method = asl_aws_str(d, "method") ? asl_aws_str(d, "method") : "POST";
    asl_buf path, query;
    asl_buf_init(&path);
    asl_buf_init(&query);
    if (!rest_path(a, in_shape, params, asl_aws_str(d, "request_uri"), &path, &query, err)) {
        asl_buf_free(&path);
        asl_buf_free(&query);
        return false;
    }
    rest_located(a, d, in_shape, params, &query, rq);
    rq->url = asl_sprintf(a, "%s%.*s%s%.*s", base, (int)path.len, path.data ? path.data : "",
                          query.len ? "?" : "", (int)query.len, query.data ? query.data : "");
    asl_buf_free(&path);
    asl_buf_free(&query);

    const char *payload = asl_aws_str(in_shape, "payload");
    if (payload) {
        const asl_value *members = asl_object_get(in_shape, "members", 7);
        const asl_value *ref = asl_object_get(members, payload, strlen(payload));
        const asl_member pm = {payload, (uint32_t)strlen(payload), (asl_value *)ref};
        const asl_value *pv = param_of(params, &pm);
        const asl_value *ps = ref_shape(d, ref);
        const char *pt = type_of(ps);
        if (pv && (!strcmp(pt, "blob") || !strcmp(pt, "string"))) {
            rq->body = (char *)scalar_text(a, pv, &rq->body_len);
            /* a JSON value sent as its text says so, where no parameter gave
             * the type (else libcurl would call it a form) */
            bool typed = false;
            for (size_t i = 0; i < rq->nheaders; i++)
                typed = typed || !strncasecmp(rq->headers[i], "Content-Type:", 13);
            if (pv->type != ASL_STRING && !typed &&
                rq->nheaders + 1 < sizeof rq->headers / sizeof *rq->headers)
                rq->headers[rq->nheaders++] = "Content-Type: application/json";
        } else if (pv && xml) {
            asl_buf b;
            asl_buf_init(&b);
            const char *wire = asl_aws_str(ref, "locationName") ? asl_aws_str(ref, "locationName") : payload;
            const asl_value *nsv = asl_object_get(ref, "xmlNamespace", 12);
            const char *ns = nsv ? asl_aws_str(nsv, "uri") : NULL;
            xml_value(a, &b, d, ps, wire, pv, ns);
            rq->body = asl_strndup(a, b.data, b.len);
            rq->body_len = b.len;
            asl_buf_free(&b);
            rq->headers[rq->nheaders++] = "Content-Type: application/xml";
        } else if (pv) {
            asl_value *body = json_shaped(a, d, ps, (asl_value *)pv, TO_WIRE);
            rq->body = asl_json_string(a, body, &rq->body_len);
            rq->headers[rq->nheaders++] = "Content-Type: application/json";
        }
    } else if (!xml) {
        asl_value *body = json_shaped(a, d, in_shape, params, TO_WIRE_BODY);
        if (body->type != ASL_OBJECT || body->len > 0 || !strcmp(rq->method, "POST") ||
            !strcmp(rq->method, "PUT")) {
            rq->body = asl_json_string(a, body, &rq->body_len);
            rq->headers[rq->nheaders++] = "Content-Type: application/json";
        }
    }
    if (xml) {
        /* S3 signs the payload's hash and wants it sent. */
        unsigned char md[SHA256_DIGEST_LENGTH];
        SHA256((const unsigned char *)(rq->body ? rq->body : ""), rq->body_len, md);
        char hex[2 * SHA256_DIGEST_LENGTH + 1];
        for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) sprintf(hex + 2 * i, "%02x", md[i]);
        rq->headers[rq->nheaders++] = asl_sprintf(a, "x-amz-content-sha256: %s", hex);
    }
    rq->headers[rq->nheaders] = NULL;
    return true;
}

/* ---- reading XML -------------------------------------------------------------- */

static const char *local_name(const xmlNode *n)
{
    return (const char *)n->name;
}

static xmlNode *child_named(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp(local_name(c), name)) return c;
    return NULL;
}

static xmlNode *find_descendant(xmlNode *n, const char *name)
{
    for (xmlNode *c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (!strcmp(local_name(c), name)) return c;
        xmlNode *f = find_descendant(c->children, name);
        if (f) return f;
    }
    return NULL;
}

static asl_value *text_value(asl_arena *a, const char *t, const char *text)
{
    size_t n = strlen(text);
    if (!strcmp(t, "integer") || !strcmp(t, "long") || !strcmp(t, "float") ||
        !strcmp(t, "double")) {
        asl_json_error e;
        asl_value *num = asl_json_parse(a, text, n, &e);
        if (num && num->type == ASL_NUMBER) return num;
    }
    if (!strcmp(t, "boolean")) return asl_bool(!strcmp(text, "true"));
    return asl_string(a, text, n);
}

static asl_value *xml_decode(asl_arena *a, const asl_value *d, const asl_value *shape,
                             xmlNode *n);

static asl_value *xml_list(asl_arena *a, const asl_value *d, const asl_value *item,
                           xmlNode *parent, const char *name)
{
    size_t k = 0;
    for (xmlNode *c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp(local_name(c), name)) k++;
    asl_value *arr = asl_array(a, (uint32_t)k);
    for (xmlNode *c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp(local_name(c), name))
            asl_array_push(a, arr, xml_decode(a, d, item, c));
    return arr;
}

static asl_value *xml_map(asl_arena *a, const asl_value *d, const asl_value *shape,
                          xmlNode *parent, const char *entry)
{
    const asl_value *kref = asl_object_get(shape, "key", 3);
    const asl_value *vref = asl_object_get(shape, "value", 5);
    const char *kn = asl_aws_str(kref, "locationName") ? asl_aws_str(kref, "locationName") : "key";
    const char *vn = asl_aws_str(vref, "locationName") ? asl_aws_str(vref, "locationName") : "value";
    asl_value *obj = asl_object(a, 4);
    for (xmlNode *c = parent->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || strcmp(local_name(c), entry) != 0) continue;
        xmlNode *kx = child_named(c, kn), *vx = child_named(c, vn);
        if (!kx) continue;
        xmlChar *key = xmlNodeGetContent(kx);
        asl_object_set(a, obj, (const char *)key, strlen((const char *)key),
                       vx ? xml_decode(a, d, ref_shape(d, vref), vx) : asl_null());
        xmlFree(key);
    }
    return obj;
}

static asl_value *xml_decode(asl_arena *a, const asl_value *d, const asl_value *shape,
                             xmlNode *n)
{
    const char *t = type_of(shape);
    if (!strcmp(t, "structure")) {
        const asl_value *members = asl_object_get(shape, "members", 7);
        asl_value *obj = asl_object(a, members ? members->len : 0);
        for (uint32_t i = 0; members && i < members->len; i++) {
            const asl_member *m = &members->u.o.members[i];
            if (asl_aws_str(m->val, "location")) continue;      /* headers: read by the caller */
            const char *wire = asl_aws_str(m->val, "locationName") ? asl_aws_str(m->val, "locationName") : m->key;
            const asl_value *ms = ref_shape(d, m->val);
            const char *mt = type_of(ms);
            bool flat = flag(m->val, "flattened") || flag(ms, "flattened");
            asl_value *v = NULL;
            if (!strcmp(mt, "list") && flat) {
                if (child_named(n, wire)) v = xml_list(a, d, ref_shape(d, asl_object_get(ms, "member", 6)), n, wire);
            } else if (!strcmp(mt, "map") && flat) {
                if (child_named(n, wire)) v = xml_map(a, d, ms, n, wire);
            } else {
                xmlNode *c = child_named(n, wire);
                if (c) v = xml_decode(a, d, ms, c);
            }
            if (v) asl_object_set(a, obj, pascal(a, m->key, m->klen), m->klen, v);
        }
        return obj;
    }
    if (!strcmp(t, "list")) {
        const asl_value *mref = asl_object_get(shape, "member", 6);
        const char *iname = asl_aws_str(mref, "locationName") ? asl_aws_str(mref, "locationName") : "member";
        return xml_list(a, d, ref_shape(d, mref), n, iname);
    }
    if (!strcmp(t, "map")) return xml_map(a, d, shape, n, "entry");
    xmlChar *text = xmlNodeGetContent(n);
    asl_value *v = text_value(a, t, text ? (const char *)text : "");
    xmlFree(text);
    return v;
}

static xmlDoc *parse_xml(const asl_aws_response *r)
{
    if (!r->body.len) return NULL;
    return xmlReadMemory(r->body.data, (int)r->body.len, "response.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                         XML_PARSE_NOWARNING);
}

/* ---- the response ---------------------------------------------------------------- */

/* Output members the model places in headers (S3's ContentType, ETag, ...). */
static void header_members(asl_arena *a, const asl_value *d, const asl_value *shape,
                           const asl_aws_response *r, asl_value *obj)
{
    const asl_value *members = asl_object_get(shape, "members", 7);
    for (uint32_t i = 0; members && i < members->len; i++) {
        const asl_member *m = &members->u.o.members[i];
        const char *loc = asl_aws_str(m->val, "location");
        const char *ln = asl_aws_str(m->val, "locationName") ? asl_aws_str(m->val, "locationName") : m->key;
        if (!loc) continue;
        if (!strcmp(loc, "header")) {
            const char *h = asl_aws_header(a, r, ln);
            if (h)
                asl_object_set(a, obj, pascal(a, m->key, m->klen), m->klen,
                               text_value(a, type_of(ref_shape(d, m->val)), h));
        } else if (!strcmp(loc, "statusCode")) {
            asl_object_set(a, obj, pascal(a, m->key, m->klen), m->klen,
                           asl_number(a, (double)r->status));
        } else if (!strcmp(loc, "headers")) {
            asl_value *map = asl_object(a, 2);
            size_t pl = strlen(ln);
            for (const char *p = r->headers.data, *e = p + r->headers.len; p && p < e;) {
                const char *nl = memchr(p, '\n', (size_t)(e - p));
                if (!nl) nl = e;
                const char *colon = memchr(p, ':', (size_t)(nl - p));
                if (colon && (size_t)(colon - p) > pl && !strncasecmp(p, ln, pl)) {
                    const char *v = colon + 1;
                    while (v < nl && *v == ' ') v++;
                    asl_object_set(a, map, p + pl, (size_t)(colon - p) - pl,
                                   asl_string(a, v, (size_t)(nl - v)));
                }
                p = nl + 1;
            }
            asl_object_set(a, obj, pascal(a, m->key, m->klen), m->klen, map);
        }
    }
}

asl_value *asl_aws_wire_result(asl_arena *a, const asl_value *d, const asl_aws_response *r,
                               asl_buf *err)
{
    const char *proto = asl_aws_str(d, "protocol");
    const asl_value *out = shape_named(d, asl_aws_str(d, "output"));
    if (!strcmp(proto, "json")) {
        asl_json_error je;
        if (!r->body.len) return asl_object(a, 0);
        asl_value *v = asl_json_parse(a, r->body.data, r->body.len, &je);
        if (!v) asl_buf_puts(err, "the response is not JSON");
        return v && out ? json_shaped(a, d, out, v, FROM_WIRE) : v;
    }
    if (!strcmp(proto, "query") || !strcmp(proto, "ec2")) {
        /* ec2: the members right under the root (no Result wrapper) */
        xmlDoc *doc = parse_xml(r);
        xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
        const char *wrapper = asl_aws_str(d, "result_wrapper");
        xmlNode *res = wrapper ? child_named(root, wrapper) : root;
        asl_value *v = out ? (res ? xml_decode(a, d, out, res) : asl_object(a, 0))
                           : asl_object(a, 0);
        if (doc) xmlFreeDoc(doc);
        else if (r->body.len) asl_buf_puts(err, "the response is not XML");
        return doc || !r->body.len ? v : NULL;
    }
    /* rest-json, rest-xml */
    asl_value *obj;
    const char *payload = asl_aws_str(out, "payload");
    const asl_value *members = asl_object_get(out, "members", 7);
    const asl_value *pref = payload ? asl_object_get(members, payload, strlen(payload)) : NULL;
    const asl_value *ps = pref ? ref_shape(d, pref) : NULL;
    bool xml = !strcmp(proto, "rest-xml");
    if (payload && (!strcmp(type_of(ps), "blob") || !strcmp(type_of(ps), "string"))) {
        obj = asl_object(a, members ? members->len : 1);
        /* read back in PascalCase as every member (Bedrock's "body" is Body) */
        asl_object_set(a, obj, pascal(a, payload, strlen(payload)), strlen(payload),
                       asl_string(a, r->body.data ? r->body.data : "", r->body.len));
    } else if (xml) {
        xmlDoc *doc = parse_xml(r);
        xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
        if (payload) {
            obj = asl_object(a, 2);
            if (root) asl_object_set(a, obj, payload, strlen(payload), xml_decode(a, d, ps, root));
        } else {
            obj = out && root ? xml_decode(a, d, out, root) : asl_object(a, 0);
        }
        if (doc) xmlFreeDoc(doc);
    } else {
        asl_json_error je;
        asl_value *v = r->body.len ? asl_json_parse(a, r->body.data, r->body.len, &je) : NULL;
        if (payload) {
            obj = asl_object(a, 2);
            if (v)
                asl_object_set(a, obj, pascal(a, payload, strlen(payload)), strlen(payload),
                               json_shaped(a, d, ps, v, FROM_WIRE));
        } else if (v && v->type == ASL_OBJECT) {
            asl_value *dv = json_shaped(a, d, out, v, FROM_WIRE);
            obj = asl_object(a, dv->len + 2);
            for (uint32_t i = 0; i < dv->len; i++)
                asl_object_set(a, obj, dv->u.o.members[i].key, dv->u.o.members[i].klen,
                               dv->u.o.members[i].val);
        } else {
            obj = asl_object(a, 2);
        }
    }
    if (out) header_members(a, d, out, r, obj);
    return obj;
}

void asl_aws_wire_error(asl_arena *a, const asl_value *d, const asl_aws_response *r,
                        const char **code, const char **msg)
{
    const char *proto = asl_aws_str(d, "protocol");
    *code = r->error_type;
    *msg = NULL;
    if (!strcmp(proto, "json") || !strcmp(proto, "rest-json")) {
        asl_json_error je;
        asl_value *b = r->body.len ? asl_json_parse(a, r->body.data, r->body.len, &je) : NULL;
        if (!*code) *code = asl_aws_str(b, "__type") ? asl_aws_str(b, "__type") : asl_aws_str(b, "code");
        *msg = asl_aws_str(b, "message") ? asl_aws_str(b, "message") : asl_aws_str(b, "Message");
    } else {
        xmlDoc *doc = parse_xml(r);
        xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
        xmlNode *c = find_descendant(root, "Code"), *m = find_descendant(root, "Message");
        if (c && !*code) {
            xmlChar *t = xmlNodeGetContent(c);
            *code = asl_strndup(a, (const char *)t, strlen((const char *)t));
            xmlFree(t);
        }
        if (m) {
            xmlChar *t = xmlNodeGetContent(m);
            *msg = asl_strndup(a, (const char *)t, strlen((const char *)t));
            xmlFree(t);
        }
        if (doc) xmlFreeDoc(doc);
    }
    if (*code && strrchr(*code, '#')) *code = strrchr(*code, '#') + 1;
    if (!*code || !**code) {
        /* a HEAD request's error has no body: S3 names it by its status */
        *code = r->status == 404 ? "NotFound" : r->status == 403 ? "Forbidden"
              : r->status >= 500 ? "InternalServerError" : "BadRequest";
    }
    if (!*msg) *msg = "";
}
