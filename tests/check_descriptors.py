#!/usr/bin/env python3
"""check_descriptors.py --aslc PATH: the static descriptors are one set of
records (compiler/lir_data.c) that both back ends print (docs/lir.md, "Data").

For a definition with every kind of descriptor (a state's S_, a Task's T_,
Retry's R_/RE_, Catch's C_/CE_, a Parallel's B_, a Map's M_, paths P_ with a
filter, a States.Format split now FMT_, a JSONata field J_), and for a large
program (more than 1,000 states: its data flow F_ and templates TP_), the C
output (--emit-c) and the LLVM module (--emit-llvm) must define the same
descriptors by name, and the C must print them as readable initialisers."""
import argparse, json, os, re, subprocess, sys, tempfile

def small():
    return {"StartAt": "Prep", "States": {
        "Prep": {"Type": "Pass", "Parameters": {"a.$": "$.a", "b": 1, "f.$": "States.Format('x{}y', $.a)"},
                 "ResultPath": "$.p", "Next": "Call"},
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                 "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2}],
                 "Catch": [{"ErrorEquals": ["X", "Y"], "Next": "Done"}], "ResultPath": "$.r", "Next": "Fan"},
        "Fan": {"Type": "Parallel", "Branches": [{"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}}],
                "ResultPath": "$.b", "Next": "Each"},
        "Each": {"Type": "Map", "ItemsPath": "$.items[?(@.n > 1)]",
                 "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                 "ItemProcessor": {"StartAt": "M1", "States": {"M1": {"Type": "Pass", "End": True}}},
                 "ResultPath": "$.m", "Next": "Late"},
        "Late": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input.a %}", "Next": "Done"},
        "Done": {"Type": "Succeed"}}}

def big(n=1100):
    st = {}
    for i in range(n):
        st[f"S{i}"] = {"Type": "Pass", "Parameters": {"a.$": "$.a", "k": i}, "ResultPath": "$.r",
                       "OutputPath": "$", "Next": f"S{i + 1}" if i + 1 < n else "End"}
    st["End"] = {"Type": "Succeed"}
    return {"StartAt": "S0", "States": st}

C_DEF = re.compile(r"^(?:static )?const [^=]*?\b(\w+)(?:\[\d*\])? = \{", re.M)
LL_DEF = re.compile(r"^@(\w+) = (?:internal |hidden |dso_local )*(?:unnamed_addr )?constant ", re.M)
KINDS = re.compile(r"^(S|T|R|RE|C|CE|B|M|P|J|FMT|TP|F)_")

def names(text, rx):
    return {m.group(1) for m in rx.finditer(text) if KINDS.match(m.group(1))}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aslc", required=True)
    a = ap.parse_args()
    fails = 0
    with tempfile.TemporaryDirectory() as d:
        for name, wf, need in (("small", small(), {"S_st_Prep", "T_st_Call", "R_st_Call", "RE_st_Call_0",
                                                  "C_st_Call", "CE_st_Call_0", "B_st_Fan", "M_st_Each",
                                                  "FMT_0", "P_0", "J_"}),
                               ("big", big(), {"F_st_S0", "TP_0", "S_st_S1099"})):
            src = os.path.join(d, name + ".json")
            with open(src, "w") as f:
                json.dump(wf, f)
            c, ll = os.path.join(d, name + ".c"), os.path.join(d, name + ".ll")
            for flag, out in (("--emit-c", c), ("--emit-llvm", ll)):
                r = subprocess.run([a.aslc, src, "--definition-limit=off", flag, out], capture_output=True, text=True)
                if r.returncode:
                    print(f"FAIL {name} {flag}: {r.stderr.strip()}")
                    return 1
            ctext, lltext = open(c).read(), open(ll).read()
            cn, ln = names(ctext, C_DEF), names(lltext, LL_DEF)
            for n in sorted(need):
                if not any(x == n or (n.endswith("_") and x.startswith(n)) for x in cn):
                    print(f"FAIL {name}: the C defines no {n}"); fails += 1
            if cn != ln:
                print(f"FAIL {name}: C only {sorted(cn - ln)[:8]}, LLVM only {sorted(ln - cn)[:8]}"); fails += 1
            else:
                print(f"ok {name}: {len(cn)} descriptors, the same in C and LLVM")
            if name == "small":
                for line in ('static const asl_state_info S_st_Prep = {"Prep", "Pass", "/States/Prep", false};',
                             'static const asl_catcher C_st_Call[] = {{CE_st_Call_0, 2}};',
                             'static const char *const CE_st_Call_0[] = {"X", "Y"};',
                             'static const asl_state_fn B_st_Fan[] = {st_B1};'):
                    if line not in ctext:
                        print(f"FAIL small: the C lacks {line}"); fails += 1
    return 1 if fails else 0

if __name__ == "__main__":
    sys.exit(main())
