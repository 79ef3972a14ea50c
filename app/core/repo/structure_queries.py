"""Tree-sitter queries per language: what a definition, a reference and an import look like.

Each definition pattern captures the definition's node as `@definition.<kind>` and, where the
grammar names it plainly, its name as `@name`; C and C++ declarators are unwrapped in code
(structure.py) instead. References capture the identifier a call or `new` uses (`@reference`);
imports capture whole statements (`@import`). Written for the grammars bundled with
tree-sitter-language-pack 0.13.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageSpec:
    grammar: str  # the name tree-sitter-language-pack knows it by
    definitions: str
    references: str
    imports: str
    # Node types around a definition that belong to it (decorators, `export`, `template<...>`).
    wrappers: frozenset[str] = frozenset()
    # Node types directly above a definition that belong to it (doc comments, attributes).
    leading: frozenset[str] = frozenset({"comment"})


_C_LIKE_CALLS = """
(call_expression function: (identifier) @reference)
(call_expression function: (field_expression field: (field_identifier) @reference))
"""

PYTHON = LanguageSpec(
    grammar="python",
    definitions="""
(function_definition name: (identifier) @name) @definition.function
(class_definition name: (identifier) @name) @definition.class
""",
    references="""
(call function: (identifier) @reference)
(call function: (attribute attribute: (identifier) @reference))
(decorator (identifier) @reference)
""",
    imports="""
(import_statement) @import
(import_from_statement) @import
(future_import_statement) @import
""",
    wrappers=frozenset({"decorated_definition"}),
)

C = LanguageSpec(
    grammar="c",
    definitions="""
(function_definition) @definition.function
(struct_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct
(union_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct
(enum_specifier name: (type_identifier) @name body: (enumerator_list)) @definition.enum
(type_definition declarator: (type_identifier) @name) @definition.type
(preproc_function_def name: (identifier) @name) @definition.macro
""",
    references=_C_LIKE_CALLS,
    imports="(preproc_include) @import",
)

CPP = LanguageSpec(
    grammar="cpp",
    definitions="""
(function_definition) @definition.function
(class_specifier name: (_) @name body: (field_declaration_list)) @definition.class
(struct_specifier name: (_) @name body: (field_declaration_list)) @definition.struct
(union_specifier name: (_) @name body: (field_declaration_list)) @definition.struct
(enum_specifier name: (_) @name body: (enumerator_list)) @definition.enum
(namespace_definition name: (_) @name) @definition.module
(type_definition declarator: (type_identifier) @name) @definition.type
(alias_declaration name: (type_identifier) @name) @definition.type
(preproc_function_def name: (identifier) @name) @definition.macro
""",
    references=_C_LIKE_CALLS + """
(call_expression function: (qualified_identifier name: (identifier) @reference))
(call_expression function: (template_function name: (identifier) @reference))
(new_expression type: (type_identifier) @reference)
""",
    imports="""
(preproc_include) @import
(using_declaration) @import
""",
    wrappers=frozenset({"template_declaration"}),
)

JAVA = LanguageSpec(
    grammar="java",
    definitions="""
(class_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.class
(annotation_type_declaration name: (identifier) @name) @definition.interface
(method_declaration name: (identifier) @name) @definition.function
(constructor_declaration name: (identifier) @name) @definition.function
""",
    references="""
(method_invocation name: (identifier) @reference)
(object_creation_expression type: (type_identifier) @reference)
""",
    imports="""
(package_declaration) @import
(import_declaration) @import
""",
    leading=frozenset({"line_comment", "block_comment"}),
)

CSHARP = LanguageSpec(
    grammar="csharp",
    definitions="""
(class_declaration name: (identifier) @name) @definition.class
(struct_declaration name: (identifier) @name) @definition.struct
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.class
(namespace_declaration name: (_) @name) @definition.module
(method_declaration name: (identifier) @name) @definition.function
(constructor_declaration name: (identifier) @name) @definition.function
(destructor_declaration name: (identifier) @name) @definition.function
(operator_declaration) @definition.function
(property_declaration name: (identifier) @name) @definition.property
(delegate_declaration name: (identifier) @name) @definition.type
""",
    references="""
(invocation_expression function: (identifier) @reference)
(invocation_expression function: (member_access_expression name: (identifier) @reference))
(invocation_expression function: (generic_name (identifier) @reference))
(object_creation_expression type: (identifier) @reference)
""",
    imports="(using_directive) @import",
    leading=frozenset({"comment", "attribute_list"}),
)

_JS_DEFINITIONS = """
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(class_declaration name: (_) @name) @definition.class
(method_definition name: (_) @name) @definition.function
(lexical_declaration
  (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)])) @definition.function
(variable_declaration
  (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)])) @definition.function
"""

_JS_REFERENCES = """
(call_expression function: (identifier) @reference)
(call_expression function: (member_expression property: (property_identifier) @reference))
(new_expression constructor: (identifier) @reference)
"""

_JS_IMPORTS = """
(import_statement) @import
(lexical_declaration (variable_declarator
  value: (call_expression function: (identifier) @_req (#eq? @_req "require")))) @import
"""

JAVASCRIPT = LanguageSpec(
    grammar="javascript",
    definitions=_JS_DEFINITIONS,
    references=_JS_REFERENCES,
    imports=_JS_IMPORTS,
    wrappers=frozenset({"export_statement"}),
    leading=frozenset({"comment", "decorator"}),
)

_TS_DEFINITIONS = _JS_DEFINITIONS + """
(abstract_class_declaration name: (_) @name) @definition.class
(interface_declaration name: (_) @name) @definition.interface
(type_alias_declaration name: (_) @name) @definition.type
(enum_declaration name: (_) @name) @definition.enum
(internal_module name: (_) @name) @definition.module
(module name: (_) @name) @definition.module
(function_signature name: (identifier) @name) @definition.function
(abstract_method_signature name: (_) @name) @definition.function
"""

TYPESCRIPT = LanguageSpec(
    grammar="typescript",
    definitions=_TS_DEFINITIONS,
    references=_JS_REFERENCES,
    imports=_JS_IMPORTS + "(import_alias) @import",
    wrappers=frozenset({"export_statement", "ambient_declaration"}),
    leading=frozenset({"comment", "decorator"}),
)

TSX = LanguageSpec(
    grammar="tsx",
    definitions=_TS_DEFINITIONS,
    references=_JS_REFERENCES + "(jsx_opening_element name: (identifier) @reference)\n"
                                "(jsx_self_closing_element name: (identifier) @reference)\n",
    imports=TYPESCRIPT.imports,
    wrappers=TYPESCRIPT.wrappers,
    leading=TYPESCRIPT.leading,
)

PHP = LanguageSpec(
    grammar="php",
    definitions="""
(function_definition name: (name) @name) @definition.function
(class_declaration name: (name) @name) @definition.class
(interface_declaration name: (name) @name) @definition.interface
(trait_declaration name: (name) @name) @definition.trait
(enum_declaration name: (name) @name) @definition.enum
(method_declaration name: (name) @name) @definition.function
(namespace_definition name: (namespace_name) @name body: (compound_statement)) @definition.module
""",
    references="""
(function_call_expression function: (name) @reference)
(function_call_expression function: (qualified_name (name) @reference))
(member_call_expression name: (name) @reference)
(nullsafe_member_call_expression name: (name) @reference)
(scoped_call_expression name: (name) @reference)
(object_creation_expression (name) @reference)
(object_creation_expression (qualified_name (name) @reference))
""",
    imports="""
(namespace_definition name: (namespace_name) !body) @import
(namespace_use_declaration) @import
(expression_statement (require_expression)) @import
(expression_statement (require_once_expression)) @import
(expression_statement (include_expression)) @import
(expression_statement (include_once_expression)) @import
""",
    leading=frozenset({"comment", "attribute_list"}),
)

BASH = LanguageSpec(
    grammar="bash",
    definitions="(function_definition name: (word) @name) @definition.function",
    references="(command name: (command_name (word) @reference))",
    imports='(command name: (command_name (word) @_cmd (#any-of? @_cmd "source" "."))) @import',
)

GO = LanguageSpec(
    grammar="go",
    definitions="""
(function_declaration name: (identifier) @name) @definition.function
(method_declaration name: (field_identifier) @name) @definition.method
(type_declaration (type_spec name: (type_identifier) @name type: (struct_type))) @definition.struct
(type_declaration (type_spec name: (type_identifier) @name type: (interface_type))) @definition.interface
(type_declaration (type_spec name: (type_identifier) @name
  type: [(type_identifier) (qualified_type) (function_type) (map_type) (slice_type)
         (pointer_type) (channel_type) (array_type) (generic_type)])) @definition.type
""",
    references="""
(call_expression function: (identifier) @reference)
(call_expression function: (selector_expression field: (field_identifier) @reference))
""",
    imports="""
(package_clause) @import
(import_declaration) @import
""",
)

RUST = LanguageSpec(
    grammar="rust",
    definitions="""
(function_item name: (identifier) @name) @definition.function
(function_signature_item name: (identifier) @name) @definition.function
(struct_item name: (type_identifier) @name) @definition.struct
(union_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(trait_item name: (type_identifier) @name) @definition.trait
(impl_item type: (_) @name) @definition.impl
(mod_item name: (identifier) @name body: (declaration_list)) @definition.module
(type_item name: (type_identifier) @name) @definition.type
(macro_definition name: (identifier) @name) @definition.macro
""",
    references="""
(call_expression function: (identifier) @reference)
(call_expression function: (field_expression field: (field_identifier) @reference))
(call_expression function: (scoped_identifier name: (identifier) @reference))
(call_expression function: (generic_function function: (identifier) @reference))
(macro_invocation macro: (identifier) @reference)
(struct_expression name: (type_identifier) @reference)
""",
    imports="""
(use_declaration) @import
(extern_crate_declaration) @import
(mod_item !body) @import
""",
    leading=frozenset({"line_comment", "block_comment", "attribute_item"}),
)

RUBY = LanguageSpec(
    grammar="ruby",
    definitions="""
(method name: (_) @name) @definition.function
(singleton_method name: (_) @name) @definition.function
(class name: (_) @name) @definition.class
(singleton_class) @definition.class
(module name: (_) @name) @definition.module
""",
    references="""
(call method: (identifier) @reference)
(call receiver: (constant) @reference method: (identifier) @_new (#eq? @_new "new"))
""",
    imports="""
(call method: (identifier) @_req (#any-of? @_req "require" "require_relative" "load")) @import
""",
)

LANGUAGES: dict[str, LanguageSpec] = {spec.grammar: spec for spec in (
    PYTHON, C, CPP, JAVA, CSHARP, JAVASCRIPT, TYPESCRIPT, TSX, PHP, BASH, GO, RUST, RUBY)}

EXTENSIONS: dict[str, str] = {
    ".py": "python", ".pyi": "python", ".pyw": "python",
    ".c": "c",
    ".h": "cpp", ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".hpp": "cpp", ".hh": "cpp",
    ".hxx": "cpp", ".ipp": "cpp", ".inl": "cpp", ".tcc": "cpp",
    ".java": "java",
    ".cs": "csharp",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".tsx": "tsx",
    ".php": "php", ".phtml": "php",
    ".sh": "bash", ".bash": "bash",
    ".go": "go",
    ".rs": "rust",
    ".rb": "ruby", ".rake": "ruby", ".gemspec": "ruby",
}
