#!/bin/sh
# Command task handler for the golden case command_handler_shell: reads the
# task input (JSON) on stdin and prints the result (JSON) on stdout.
input=$(cat)
name=$(printf '%s' "$input" | sed -n 's/.*"name" *: *"\([^"]*\)".*/\1/p')
printf '{"greeting":"hello, %s","via":"command"}\n' "$name"
