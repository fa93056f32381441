#!/usr/bin/env python3
"""check_install.py — what `cmake --install` gives a user of aslc: the public
headers only, and enough of them (docs/runtime.md).

  - include/aslc holds exactly the public headers: asl.h (generated code),
    jsonata.h (generated JSONata code), asl_handler.h (native handlers),
    asl_value.h and the two .def tables they include; every "..." include
    of an installed header is installed too, and none of the runtime's
    private headers (rt.h, task.h, ...) is;
  - a native handlers file that includes asl_handler.h and nothing else of
    aslc compiles with -Wall -Wextra -Werror against the installed headers,
    and does not see the runtime's internals (asl_enter, from asl.h, is not
    declared for it);
  - the installed aslc (bin/aslc, which finds lib/aslc and include/aslc
    beside it) builds a workflow with that handlers file and a JSONata
    state, and the binary gives the expected output; a handlers file that
    includes rt.h does not compile there (aslc used the installed headers,
    not the source tree's).

    tests/check_install.py --build BUILD_DIR [--backend c|llvm]
Exit status 0 when all hold, 1 otherwise.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

PUBLIC = {"asl.h", "asl_value.h", "asl_handler.h", "jsonata.h", "asl_errors.def", "asl_intrinsics.def"}

HANDLERS = r"""#include "asl_handler.h"
#include <string.h>

/* {"n": N} -> {"n": N + 1, "state": its state's name, "token": false} */
asl_value *add_one(asl_task_ctx *t, asl_value *in)
{
    asl_arena *a = asl_task_arena(t);
    asl_value *n = asl_typeof(in) == ASL_OBJECT ? asl_object_get(in, "n", 1) : NULL;
    if (!n || asl_typeof(n) != ASL_NUMBER) return asl_task_fail(t, "NoNumber", "n is not a number");
    const char *state = asl_task_state(t);
    asl_value *out = asl_object(a, 3);
    asl_object_set(a, out, "n", 1, asl_number(a, n->u.n.num + 1));
    asl_object_set(a, out, "state", 5, asl_string(a, state, strlen(state)));
    asl_object_set(a, out, "token", 5, asl_bool(asl_task_token(t) != NULL));
    return out;
}
"""

# A handler reaching for what generated code has: must not compile.
INTERNAL = r"""#include "asl_handler.h"
int peek(asl_task_ctx *t) { return asl_enter(t, 0, 0); }
"""

DEFINITION = {
    "StartAt": "AddOne",
    "States": {
        "AddOne": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:add_one",
                   "Next": "Times"},
        "Times": {"Type": "Pass", "QueryLanguage": "JSONata",
                  "Output": "{% {'n': $states.input.n * 10, 'state': $states.input.state, "
                            "'token': $states.input.token} %}",
                  "End": True},
    },
}
RESOURCES = {"arn:aws:lambda:us-east-1:123456789012:function:add_one": {"native": "add_one"}}
EXPECTED = {"n": 420, "state": "AddOne", "token": False}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--backend", default="c")
    args = ap.parse_args()
    problems = []

    def expect(label, cond, detail=""):
        print(("ok   " if cond else "FAIL ") + label + ("" if cond else " " + detail))
        if not cond:
            problems.append(label)

    work = tempfile.mkdtemp(prefix="aslc-install-")
    try:
        prefix = os.path.join(work, "prefix")
        p = subprocess.run(["cmake", "--install", args.build, "--prefix", prefix],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            expect("cmake --install", False, p.stderr[-800:])
            return 1
        inc = os.path.join(prefix, "include", "aslc")
        have = set(os.listdir(inc)) if os.path.isdir(inc) else set()
        expect("include/aslc holds the public headers, only them", have == PUBLIC,
               "has %s" % sorted(have))
        for h in sorted(have):
            with open(os.path.join(inc, h), encoding="utf-8") as f:
                for dep in sorted(set(re.findall(r'^\s*#\s*include\s+"([^"]+)"', f.read(), re.M))):
                    expect("%s includes %s, installed" % (h, dep), dep in have)

        cc = os.environ.get("CC", "cc")
        src = os.path.join(work, "handlers.c")
        with open(src, "w") as f:
            f.write(HANDLERS)
        p = subprocess.run([cc, "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-I", inc, "-c", src,
                            "-o", os.path.join(work, "handlers.o")], capture_output=True, text=True)
        expect("a handler including asl_handler.h only compiles against include/aslc",
               p.returncode == 0, p.stderr[-800:])
        bad = os.path.join(work, "internal.c")
        with open(bad, "w") as f:
            f.write(INTERNAL)
        p = subprocess.run([cc, "-std=gnu11", "-Werror=implicit-function-declaration", "-I", inc, "-c", bad,
                            "-o", os.path.join(work, "internal.o")], capture_output=True, text=True)
        expect("asl_handler.h does not declare generated code's asl_enter",
               p.returncode != 0 and "asl_enter" in p.stderr, p.stderr[-400:])

        aslc = os.path.join(prefix, "bin", "aslc")
        d = os.path.join(work, "definition.json")
        r = os.path.join(work, "resources.json")
        with open(d, "w") as f:
            json.dump(DEFINITION, f)
        with open(r, "w") as f:
            json.dump(RESOURCES, f)
        out = os.path.join(work, "wf")
        p = subprocess.run([aslc, d, "--resources", r, "--handlers", src, "--backend=" + args.backend,
                            "-o", out], capture_output=True, text=True, timeout=600, cwd=work)
        expect("the installed aslc builds a workflow with native handlers and JSONata",
               p.returncode == 0, p.stderr[-800:])
        if p.returncode == 0:
            p = subprocess.run([out], input='{"n": 41}', capture_output=True, text=True, timeout=120)
            got = None
            try:
                got = json.loads(p.stdout)
            except ValueError:
                pass
            expect("its binary's output", p.returncode == 0 and got == EXPECTED,
                   "status %d, output %r, stderr %s" % (p.returncode, p.stdout, p.stderr[-400:]))
        # the installed aslc's handlers see include/aslc, not the source tree
        priv = os.path.join(work, "private.c")
        with open(priv, "w") as f:
            f.write('#include "rt.h"\n' + HANDLERS)
        p = subprocess.run([aslc, d, "--resources", r, "--handlers", priv, "--backend=" + args.backend,
                            "-o", os.path.join(work, "wf2")], capture_output=True, text=True, timeout=600,
                           cwd=work)
        expect("the installed aslc compiles handlers against include/aslc (rt.h is not there)",
               p.returncode != 0 and "rt.h" in p.stderr, p.stderr[-400:])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d problem(s)" % len(problems) if problems else "all hold")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
