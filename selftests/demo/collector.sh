#!/bin/sh
# Stands in for the city's telemetry collector.
exec nc -l -p 9000
