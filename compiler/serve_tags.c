/*
 * serve_tags.c — TagResource, UntagResource, ListTagsForResource and the
 * tags of CreateStateMachine: key/value pairs on state machines and
 * activities, kept in a table of their own in the store (so that
 * replacing a machine's row, as UpdateStateMachine does, keeps them).
 * AWS's limits: 50 tags a resource, keys of 1-128 characters, values of
 * at most 256.
 */
#define _GNU_SOURCE
#include "serve.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TAGS 50

bool aslc_tags_open(aslc_store *s)
{
    return sqlite3_exec(s->db,
                        "CREATE TABLE IF NOT EXISTS resource_tags (arn TEXT NOT NULL, key TEXT "
                        "NOT NULL, value TEXT NOT NULL, PRIMARY KEY (arn, key));",
                        NULL, NULL, NULL) == SQLITE_OK;
}

static const char *str_of(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static size_t count_tags(aslc_store *s, const char *arn)
{
    sqlite3_stmt *st;
    size_t n = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM resource_tags WHERE arn = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) n = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

bool aslc_tags_valid(const cJSON *tags, const char *arn, size_t have, aslc_reply *r)
{
    if (!tags) return true;
    if (!cJSON_IsArray(tags)) {
        aslc_fail(r, 400, "ValidationException", "1 validation error detected: Value at 'tags' "
                                                 "failed to satisfy constraint: Member must be a "
                                                 "list");
        return false;
    }
    size_t n = 0;
    for (const cJSON *t = tags->child; t; t = t->next, n++) {
        const char *k = str_of(t, "key"), *v = str_of(t, "value");
        if (!k || !*k || strlen(k) > 128) {
            aslc_fail(r, 400, "ValidationException", "1 validation error detected: Value at "
                                                     "'tags.%zu.member.key' failed to satisfy "
                                                     "constraint: Member must have length between "
                                                     "1 and 128", n + 1);
            return false;
        }
        if (v && strlen(v) > 256) {
            aslc_fail(r, 400, "ValidationException", "1 validation error detected: Value at "
                                                     "'tags.%zu.member.value' failed to satisfy "
                                                     "constraint: Member must have length less "
                                                     "than or equal to 256", n + 1);
            return false;
        }
    }
    if (have + n > MAX_TAGS) {
        aslc_fail(r, 400, "TooManyTags", "Too many tags on resource '%s': at most %d", arn,
                  MAX_TAGS);
        return false;
    }
    return true;
}

void aslc_tags_put(aslc_store *s, const char *arn, const cJSON *tags)
{
    for (const cJSON *t = tags ? tags->child : NULL; t; t = t->next) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO resource_tags(arn, key, value) "
                                      "VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
            return;
        const char *v = str_of(t, "value");
        sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, str_of(t, "key"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, v ? v : "", -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
}

void aslc_tags_drop(aslc_store *s, const char *arn)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM resource_tags WHERE arn = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

/* The resource an ARN names: a state machine of the store, or an activity
 * (kept by serve_run.c's side: any activity ARN is taken as it is). */
static const char *resource(aslc_store *s, const cJSON *in, aslc_reply *r)
{
    const char *arn = str_of(in, "resourceArn");
    if (!arn) {
        aslc_fail(r, 400, "ValidationException", "1 validation error detected: Value null at "
                                                 "'resourceArn' failed to satisfy constraint: "
                                                 "Member must not be null");
        return NULL;
    }
    if (strncmp(arn, "arn:", 4) != 0 || (!strstr(arn, ":stateMachine:") &&
                                         !strstr(arn, ":activity:"))) {
        aslc_fail(r, 400, "InvalidArn", "Invalid Arn: 'Resource type not valid in this "
                                        "context: %s'", arn);
        return NULL;
    }
    aslc_machine m;
    if (strstr(arn, ":stateMachine:")) {
        if (!aslc_store_get_machine(s, arn, &m)) {
            aslc_fail(r, 400, "ResourceNotFound", "Resource not found: '%s'", arn);
            return NULL;
        }
        aslc_machine_free(&m);
    }
    return arn;
}

void aslc_act_tag_resource(aslc_store *s, const cJSON *in, aslc_reply *r)
{
    const char *arn = resource(s, in, r);
    if (!arn) return;
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(in, "tags");
    /* a key given again replaces its value: only new keys count */
    size_t have = count_tags(s, arn), fresh = 0;
    for (const cJSON *t = cJSON_IsArray(tags) ? tags->child : NULL; t; t = t->next) {
        sqlite3_stmt *st;
        bool known = false;
        if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM resource_tags WHERE arn = ? AND key = ?", -1,
                               &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, str_of(t, "key") ? str_of(t, "key") : "", -1,
                              SQLITE_TRANSIENT);
            known = sqlite3_step(st) == SQLITE_ROW;
            sqlite3_finalize(st);
        }
        fresh += !known;
    }
    if (!aslc_tags_valid(tags, arn, 0, r)) return;   /* the list's own shape and size */
    if (have + fresh > MAX_TAGS) {
        aslc_fail(r, 400, "TooManyTags", "Too many tags on resource '%s': at most %d", arn,
                  MAX_TAGS);
        return;
    }
    aslc_tags_put(s, arn, tags);
    r->doc = cJSON_CreateObject();
}

void aslc_act_untag_resource(aslc_store *s, const cJSON *in, aslc_reply *r)
{
    const char *arn = resource(s, in, r);
    if (!arn) return;
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(in, "tagKeys");
    for (const cJSON *k = cJSON_IsArray(keys) ? keys->child : NULL; k; k = k->next) {
        sqlite3_stmt *st;
        if (!cJSON_IsString(k) ||
            sqlite3_prepare_v2(s->db, "DELETE FROM resource_tags WHERE arn = ? AND key = ?", -1,
                               &st, NULL) != SQLITE_OK)
            continue;
        sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, k->valuestring, -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    r->doc = cJSON_CreateObject();
}

void aslc_act_list_tags(aslc_store *s, const cJSON *in, aslc_reply *r)
{
    const char *arn = resource(s, in, r);
    if (!arn) return;
    r->doc = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(r->doc, "tags");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT key, value FROM resource_tags WHERE arn = ? ORDER BY "
                                  "key", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "key", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddStringToObject(t, "value", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddItemToArray(arr, t);
    }
    sqlite3_finalize(st);
}
