import time


def lambda_handler(event, context):
    time.sleep(0.05)
    return {"item": event}
