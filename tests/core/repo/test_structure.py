"""Per language: definitions with their extents, methods and class headers, calls and imports (tree-sitter)."""

from __future__ import annotations

import time

import pytest

from app.core.repo.chunk import chunk_source
from app.core.repo.structure import parse_structure

SOURCES = {
    "a.py": r'''"""Doc."""
import os
from typing import Any

x = 1


# Retries a call.
@decorator(arg)
def retry(fn):
    return wrap(fn)


class Client(Base):
    """Client."""

    @property
    def get(self):
        return self.session.fetch(1)
''',
    "a.c": r'''#include <stdio.h>
#include "util.h"

/* Add two. */
static int add(int a, int b) {
    return a + b;
}

struct point { int x; int y; };

typedef struct { int a; } pair_t;

char *name_of(struct point *p) { return fmt(p->x); }

int main(void) {
    printf("%d\n", add(1, 2));
    return 0;
}
''',
    "a.cpp": r'''#include <vector>
using std::vector;

namespace geo {
// A shape.
template <typename T>
class Shape : public Base {
public:
    virtual double area() const { return compute(x); }
    ~Shape() {}
};

double Shape<int>::perimeter() const { return util::len(this); }
}
int& ref_fn(int& a) { return a; }
''',
    "a.java": r'''package com.example;

import java.util.List;
import java.util.Map;

/** A parser. */
@Service
public class Parser extends Base {
    private int x;

    /**
     * Parses.
     */
    @Override
    public static int parse(String s) {
        return helper(s).length();
    }

    Parser() { super(); }
}
''',
    "a.cs": r'''using System;
using System.Collections.Generic;

namespace App.Core
{
    /// <summary>A service.</summary>
    [Serializable]
    public class Service : IService
    {
        /// <summary>Parses.</summary>
        [Obsolete]
        public static int Parse(string s)
        {
            return Helper.Convert(s) + Compute(s);
        }

        public Service() { }

        public string Name { get; set; }
    }

    public interface IService { int Parse(string s); }
}
''',
    "a.js": r'''const fs = require("fs");
import x from "y";

// Fetches.
export async function fetchData(url) {
  return get(url);
}
class Store {
  save(item) { this.db.put(item); }
}
const helper = (a) => a;
module.exports = { helper };
''',
    "a.ts": r'''import { a } from "./a";
import * as b from "b";

/** Greets. */
export function greet(name: string): string {
  return format(name);
}

@Component({})
export class Widget extends Base implements I {
  @Input() x = 1;
  /** renders */
  render(): void { this.draw(); new Painter(); }
}

export interface Shape { area(): number; }
type Id = string;
enum Color { Red }
namespace NS { export const f = () => 1; }
export const handler = async (e: Event) => { log(e); };
''',
    "a.php": r'''<?php
namespace App\Http;

use App\Models\User;
require_once 'util.php';

/**
 * A controller.
 */
#[Route('/x')]
class UserController extends Controller
{
    /** Shows. */
    public function show(int $id): User
    {
        return User::find($id)->load(helper($id));
    }
}

function top_level() { return new Foo(); }
''',
    "a.sh": r'''#!/bin/bash
source ./lib.sh
. ./other.sh

# Builds it.
build() {
  make all
  run_tests
}

function deploy {
  rsync -a . host:
}
build
''',
    "a.go": r'''package main

import (
	"fmt"
	"os"
)

// Server serves.
type Server struct {
	Addr string
}

type Handler interface{ Serve() }

// Start starts.
func (s *Server) Start() error {
	return fmt.Errorf("x %s", helper(s.Addr))
}

func main() {
	os.Exit(run())
}
''',
    "a.rs": r'''use std::collections::HashMap;
use crate::util::{a, b};

/// A point.
#[derive(Debug, Clone)]
pub struct Point {
    x: i32,
}

impl Point {
    /// Makes one.
    pub fn new(x: i32) -> Self {
        Point { x: compute(x) }
    }
}

pub trait Shape { fn area(&self) -> f64; }

pub fn parse(s: &str) -> u32 {
    println!("{}", s);
    s.len() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn it_works() { assert_eq!(parse("a"), 1); }
}
''',
    "a.rb": r'''require "json"
require_relative "util"

# A model.
module Shop
  class Order < Base
    # Totals.
    def total
      items.sum(&:price) + tax_for(region)
    end

    def self.build(x)
      Order.new(x)
    end
  end
end
''',
}
# TSX is TypeScript plus markup: the same source with a component at the end.
SOURCES["a.tsx"] = SOURCES["a.ts"] + 'function App() { return <Button onClick={go} />; }\n'

# (name, kind, first line with decorators/attributes/doc comment, last line, last header line)
DEFINITIONS = {
    "a.py": [("retry", "function", 8, 11, 10), ("Client", "class", 14, 19, 14), ("get", "method", 17, 19, 18)],
    "a.c": [("add", "function", 4, 7, 5), ("point", "struct", 9, 9, 9), ("pair_t", "type", 11, 11, 11),
            ("name_of", "function", 13, 13, 13), ("main", "function", 15, 18, 15)],
    "a.cpp": [("geo", "module", 4, 14, 4), ("Shape", "class", 5, 11, 7), ("area", "method", 9, 9, 9),
              ("~Shape", "method", 10, 10, 10), ("perimeter", "function", 13, 13, 13),
              ("ref_fn", "function", 15, 15, 15)],
    "a.java": [("Parser", "class", 6, 20, 8), ("parse", "method", 11, 17, 15), ("Parser", "method", 19, 19, 19)],
    "a.cs": [("Core", "module", 4, 23, 4), ("Service", "class", 6, 20, 8), ("Parse", "method", 10, 15, 12),
             ("Service", "method", 17, 17, 17), ("Name", "property", 19, 19, 19),
             ("IService", "interface", 22, 22, 22), ("Parse", "method", 22, 22, 22)],
    "a.js": [("fetchData", "function", 4, 7, 5), ("Store", "class", 8, 10, 8), ("save", "method", 9, 9, 9),
             ("helper", "function", 11, 11, 11)],
    "a.ts": [("greet", "function", 4, 7, 5), ("Widget", "class", 9, 14, 10), ("render", "method", 12, 13, 13),
             ("Shape", "interface", 16, 16, 16), ("Id", "type", 17, 17, 17), ("Color", "enum", 18, 18, 18),
             ("NS", "module", 19, 19, 19), ("f", "function", 19, 19, 19), ("handler", "function", 20, 20, 20)],
    "a.php": [("UserController", "class", 7, 18, 11), ("show", "method", 13, 17, 14),
              ("top_level", "function", 20, 20, 20)],
    "a.sh": [("build", "function", 5, 9, 6), ("deploy", "function", 11, 13, 11)],
    "a.go": [("Server", "struct", 8, 11, 9), ("Handler", "interface", 13, 13, 13), ("Start", "method", 15, 18, 16),
             ("main", "function", 20, 22, 20)],
    "a.rs": [("Point", "struct", 6, 8, 6), ("Point", "impl", 10, 15, 10), ("new", "method", 11, 14, 12),
             ("Shape", "trait", 17, 17, 17), ("area", "method", 17, 17, 17), ("parse", "function", 19, 22, 19),
             ("tests", "module", 24, 29, 25), ("it_works", "function", 27, 28, 28)],
    "a.rb": [("Shop", "module", 4, 16, 5), ("Order", "class", 6, 15, 6), ("total", "method", 8, 10, 8),
             ("build", "method", 12, 14, 12)],
}
DEFINITIONS["a.tsx"] = DEFINITIONS["a.ts"] + [("App", "function", 21, 21, 21)]

CALLS = {  # some (line, name) each file must report
    "a.py": {(9, "decorator"), (11, "wrap"), (19, "fetch")},
    "a.c": {(13, "fmt"), (16, "add"), (16, "printf")},
    "a.cpp": {(9, "compute"), (13, "len")},
    "a.java": {(16, "helper"), (16, "length")},
    "a.cs": {(14, "Compute"), (14, "Convert")},
    "a.js": {(6, "get"), (9, "put")},
    "a.ts": {(6, "format"), (13, "Painter"), (13, "draw"), (20, "log")},
    "a.tsx": {(21, "Button")},
    "a.php": {(16, "find"), (16, "helper"), (16, "load"), (20, "Foo")},
    "a.sh": {(7, "make"), (8, "run_tests"), (14, "build")},
    "a.go": {(17, "Errorf"), (17, "helper"), (21, "run")},
    "a.rs": {(13, "compute"), (20, "println"), (28, "assert_eq")},
    "a.rb": {(9, "tax_for"), (13, "new")},
}

IMPORTS = {"a.py": (2, 3), "a.c": (1, 2), "a.cpp": (1, 2), "a.java": (1, 4), "a.cs": (1, 2), "a.js": (1, 2),
           "a.ts": (1, 2), "a.tsx": (1, 2), "a.php": (2, 5), "a.sh": (2, 3), "a.go": (1, 6), "a.rs": (1, 2),
           "a.rb": (1, 2)}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_definitions_calls_and_imports(name: str) -> None:
    structure = parse_structure(name, SOURCES[name])
    assert structure is not None and not structure.has_errors
    assert [(d.name, d.kind, d.start, d.end, d.header_end) for d in structure.definitions] == DEFINITIONS[name]
    assert CALLS[name] <= set(structure.references)
    assert structure.imports == IMPORTS[name]


def test_c_family_methods_are_definitions() -> None:
    java = "class A {\n    public static int parse(String s) {\n        return 1;\n    }\n}\n"
    c = "int main(void)\n{\n    return run();\n}\n"
    cs = "class B {\n    private static async Task<int> LoadAsync(int x) { return x; }\n}\n"
    assert ("parse", "method") in {(d.name, d.kind) for d in parse_structure("A.java", java).definitions}
    assert [d.name for d in parse_structure("m.c", c).definitions] == ["main"]
    assert "LoadAsync" in {d.name for d in parse_structure("B.cs", cs).definitions}
    assert "main" in chunk_source("m.c", c).chunks[0].symbols


def test_long_class_members_carry_the_class_header() -> None:
    methods = "\n".join(f"    /** Does {i}. */\n    public int m{i}() {{\n" + "        x++;\n" * 8 + "        return x;\n    }\n"
                        for i in range(10))
    java = "import java.util.List;\n\n/** Big. */\n@Entity\npublic class Big extends Base {\n" + methods + "}\n"
    cut = chunk_source("Big.java", java)
    assert cut.parser == "java" and cut.imports == (1, 1)
    assert cut.chunks[0].kind == "imports"
    m3 = next(c for c in cut.chunks if c.symbols[:1] == ("m3",))
    assert m3.symbols == ("m3", "Big") and m3.kind == "method" and m3.header == (3, 5)
    assert m3.text.lstrip().startswith("/** Does 3. */")  # the doc comment above belongs to the method
    head = next(c for c in cut.chunks if c.symbols[:1] == ("Big",))
    assert head.start == 3 and head.kind == "class"
    assert all(c.end - c.start + 1 <= 80 for c in cut.chunks)


def test_chunks_carry_their_calls() -> None:
    cut = chunk_source("a.go", SOURCES["a.go"])
    start = next(c for c in cut.chunks if c.symbols[:1] == ("Start",))
    assert {"Errorf", "helper"} <= set(start.refs)


def test_python_keeps_the_ast_cut_where_tree_sitter_gives_up() -> None:
    text = SOURCES["a.py"]
    assert chunk_source("a.py", text).parser == "python"
    fallback = chunk_source("a.py", text, structure=False)
    assert fallback.parser == "ast"
    assert ("Client", "get") in [c.symbols for c in fallback.chunks]
    assert parse_structure("a.py", text, timeout_s=0.0) is None  # out of time: no structure, the caller falls back
    assert chunk_source("notes.txt", "hello\n").parser == ""


def test_a_file_that_does_not_parse_falls_back() -> None:
    broken = "def (:\n  pass\n" * 3 + "def fine():\n    return 1\n"
    cut = chunk_source("broken.py", broken)
    assert cut.chunks and any("fine" in c.symbols for c in cut.chunks)
    garbage = "}{ ][ )( " * 200
    assert chunk_source("x.java", garbage).chunks  # errors everywhere, no definitions: windows of lines


@pytest.mark.parametrize("name, text", [
    ("deep.py", "x = " + "(" * 50_000 + ")" * 50_000 + "\n"),
    ("deep.c", "int f() " + "{" * 50_000 + "}" * 50_000 + "\n"),
    ("deep.js", "f(" * 30_000 + ")" * 30_000 + ";\n"),
    ("line.ts", "const a = [" + "1, " * 300_000 + "];\n"),
    ("calls.rb", "foo(1); " * 100_000 + "\n"),
])
def test_hostile_files_stay_bounded(name: str, text: str) -> None:
    started = time.monotonic()
    cut = chunk_source(name, text)
    assert cut.chunks
    assert time.monotonic() - started < 30  # a generous bound on a loaded machine; the parse stops at 2 s
    assert all(len(c.refs) <= 200 for c in cut.chunks)
