#!/bin/sh
# Takes longer than the state's HeartbeatSeconds and sends no heartbeat.
sleep 5
echo '{"done": true}'
