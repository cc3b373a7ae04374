# Thin wrappers around ./dev; extra arguments go in ARGS, e.g. `make test ARGS='-k feed -x'`.
.PHONY: help sample test lint setup lock golden bench

help:
	@./dev help

sample:
	./dev sample $(ARGS)

test:
	./dev test $(ARGS)

lint:
	./dev lint

setup:
	./dev setup

lock:
	./dev lock $(ARGS)

golden:
	./dev golden $(ARGS)

bench:
	./dev bench $(ARGS)
