import time

calls = 0


def lambda_handler(event, context):
    global calls
    calls += 1
    if event.get("hang"):
        time.sleep(600)
    return {"calls": calls}
