"""Failures of a warm python handler, as Lambda reports them."""
import os
import sys

calls = 0


class OrderError(Exception):
    pass


def flaky(event, context):
    global calls
    calls += 1
    how = event.get("fail")
    if how == "value":
        raise ValueError("bad quantity: %s" % event.get("quantity"))
    if how == "custom":
        raise OrderError("order refused")
    if how == "exit":
        os._exit(3)  # the worker dies: Runtime.ExitError, a new worker next time
    if how == "kill":
        os.kill(os.getpid(), 9)
    if how == "sys.exit":
        sys.exit(4)
    return {"calls": calls}
