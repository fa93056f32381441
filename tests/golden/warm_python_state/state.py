"""A warm handler: module-level state persists between calls of one worker."""
import os

calls = 0
loaded_in = os.getpid()


def lambda_handler(event, context):
    global calls
    calls += 1
    print("call", calls)  # goes to stderr, never into the result
    left = context.get_remaining_time_in_millis()
    return {
        "calls": calls,
        "same_process": os.getpid() == loaded_in,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_is_lambdas": "/[$LATEST]" in context.log_stream_name,
        "request_id_is_uuid": len(context.aws_request_id) == 36,
        "left_ms": "under 10 s" if 0 < left <= 10000 else "under 15 min" if 0 < left <= 900000 else left,
        "env_function_name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
    }


def named(event, context):
    return {"handler": "named", "event": event}
