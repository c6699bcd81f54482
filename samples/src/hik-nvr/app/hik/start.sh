#!/bin/sh
# SYNTHETIC fwaudit fixture
cd /home/hik
./hicore &
