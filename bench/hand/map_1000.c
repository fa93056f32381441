/*
 * map_1000.c — hand-written equivalent of map_1000: for every item, the
 * label "item-<id>-<name>" (States.Format), the tags serialised
 * (States.JsonToString) and parsed back twice (States.StringToJson, as the
 * Deserialize state calls it twice), sum = id + tag count (States.MathAdd,
 * States.ArrayLength) and whether the tags contain "b" (States.ArrayContains);
 * then {count, first, last} of the results (last: see below).  The
 * intermediate objects of the three Pass states are not built: only the
 * values they carry are computed (see hand.h).
 */
#include "hand.h"

static asl_value *parse(asl_arena *a, const asl_value *s)
{
    asl_json_error err;
    return asl_json_parse(a, s->u.str, s->len, &err);
}

static asl_value *hand_work(asl_arena *a, asl_value *input, uint64_t *transitions)
{
    asl_value *items = hand_get(input, HAND_KEY("items"));
    if (!items || items->type != ASL_ARRAY) {
        fprintf(stderr, "MapItems: $.items is not an array\n");
        return NULL;
    }
    asl_value *results = asl_array(a, items->len);
    asl_buf label;
    asl_buf_init(&label);
    for (uint32_t idx = 0; idx < items->len; idx++) {
        asl_value *item = items->u.a.items[idx];
        asl_value *id = hand_get(item, HAND_KEY("id")), *name = hand_get(item, HAND_KEY("name"));
        asl_value *tags = hand_get(item, HAND_KEY("tags"));
        if (!id || id->type != ASL_NUMBER || !name || name->type != ASL_STRING || !tags ||
            tags->type != ASL_ARRAY) {
            fprintf(stderr, "item %u: needs a numeric id, a string name and an array of tags\n",
                    idx);
            asl_buf_free(&label);
            return NULL;
        }
        label.len = 0;
        asl_buf_put(&label, "item-", 5);
        asl_number_write(&label, id);
        asl_buf_putc(&label, '-');
        asl_buf_put(&label, name->u.str, name->len);
        size_t jlen;
        char *jtext = asl_json_string(a, tags, &jlen);
        asl_value *json = asl_string_static(a, jtext, jlen);
        asl_value *tags2 = parse(a, json), *tags3 = parse(a, json);
        bool has_b = false;
        for (uint32_t t = 0; t < tags3->len && !has_b; t++) {
            const asl_value *s = tags3->u.a.items[t];
            has_b = s->type == ASL_STRING && s->len == 1 && s->u.str[0] == 'b';
        }
        asl_value *out = asl_object(a, 5);
        asl_object_append_lit(a, out, HAND_KEY("index"), asl_number(a, idx));
        asl_object_append_lit(a, out, HAND_KEY("label"), asl_string(a, label.data, label.len));
        asl_object_append_lit(a, out, HAND_KEY("tags"), tags2);
        asl_object_append_lit(a, out, HAND_KEY("sum"), asl_number(a, id->u.n.num + tags->len));
        asl_object_append_lit(a, out, HAND_KEY("hasB"), asl_bool(has_b));
        asl_array_push(a, results, out);
    }
    asl_buf_free(&label);
    *transitions = 3 * (uint64_t)items->len + 2; /* Map + 3 per item + Summarize */
    asl_value *summary = asl_object(a, 3);
    asl_object_append_lit(a, summary, HAND_KEY("count"), asl_number(a, results->len));
    asl_object_append_lit(a, summary, HAND_KEY("first"), asl_array_get(results, 0));
    /* The workflow says $.results[999]; the last result is the same item for
     * its 1,000 items and lets bench/run.sh time this at other Map sizes. */
    if (results->len == 0) {
        fprintf(stderr, "Summarize: $.results is empty\n");
        return NULL;
    }
    asl_object_append_lit(a, summary, HAND_KEY("last"), asl_array_get(results, results->len - 1));
    return summary;
}

int main(int argc, char **argv) { return hand_main(argc, argv, 3002); }
