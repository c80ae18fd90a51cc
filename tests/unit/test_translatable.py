"""Every user-facing text goes through the catalogs: a word left in English in
a template or a Python message shows English in the middle of a Kazakh page.

Static checks, no application needed:
- templates: the literal text of each Jinja template (its lexer's ``data``
  tokens, outside ``{{ }}`` and ``{% %}``), without HTML tags, comments and
  entities, and the literal values of the attributes a user sees or hears,
  hold no word; an enum's raw ``.value`` is never shown as text;
- Python: no text literal reaches a place a user reads (a flash, a service
  error, an ``abort`` description, an error answer, a mail subject, a label,
  a placeholder value of a translated message) without ``_()``/``_l()``.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
from jinja2 import nodes

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
PACKAGE = ROOT / "platform" / "konsey"

# The words a page may show untranslated: names, the same in every language.
# A word in capitals is an acronym or a format's name (UTC, API, CSV, PDF,
# SHA of SHA-256) and needs no entry here.
ALLOWED_WORDS = {
    "Konsey",  # the product's name
    "iCalendar",  # the format's name
}
WORD = re.compile(r"[^\W\d_]{2,}")
ACRONYM = re.compile(r"[^\W\d_]+")  # checked with .isupper()
# Code-like tokens are not words: a dotted or underscored name (``access.denied``),
# a placeholder (``%(name)s``, ``{token}``), a URL or a path.
CODE_LIKE = re.compile(r"%\(\w+\)[sd]|\{\w*\}|\w+://\S+|\S*/\S*|\b\w+(?:[._]\w+)+\b")
# A whole value that is a code: the prefix of an audit action (``user.``).
CODE = re.compile(r"[a-z_]+\.[a-z_.]*")


def _words(text: str) -> list[str]:
    if CODE.fullmatch(text.strip()):
        return []
    return [
        w
        for w in WORD.findall(CODE_LIKE.sub(" ", text))
        if w not in ALLOWED_WORDS and not w.isupper()
    ]


# --- templates ---------------------------------------------------------------------

ENV = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
# Attributes a user sees (a tooltip, a placeholder) or hears (a screen reader).
SHOWN_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder", "label"}
BUTTON_TYPES = {"submit", "button", "reset"}
# What stands for an expression in the literal text: letters and digits only,
# so that ``<{{ heading }}>`` still parses as a tag; never counted as a word.
EXPRESSION = "jinjaexpr{}z"
EXPRESSION_RE = re.compile(r"jinjaexpr(\d+)z")
RAW_ENUM = re.compile(r"\.value\s*(?:\|\s*(?:e|escape|string|trim)\s*)?$")


def _literal_text(source: str) -> tuple[str, list[str]]:
    """The template's literal text, each ``{{ }}`` replaced by a marker and each
    ``{% %}`` by nothing (newlines kept, so lines still match), and the source
    of each ``{{ }}``. Text between ``{% trans %}`` and ``{% endtrans %}`` is
    translated: it is blanked out."""
    parts: list[str] = []
    expressions: list[str] = []
    tokens = list(ENV.lex(source))
    in_trans = False
    current: list[str] | None = None
    previous = ""  # the kind of the last token that is not whitespace
    for _, kind, value in tokens:
        if kind == "data":
            parts.append(re.sub(r"[^\n]", " ", value) if in_trans else value)
        elif kind == "variable_begin":
            current = []
        elif kind == "variable_end" and current is not None:
            expressions.append("".join(current).strip())
            parts.append(EXPRESSION.format(len(expressions) - 1))
            current = None
        elif current is not None:
            current.append(value if kind != "whitespace" else " ")
        elif kind == "name" and previous == "block_begin":
            in_trans = value == "trans" or (in_trans and value != "endtrans")
        if kind in ("whitespace", "string") and current is None:
            parts.append("\n" * value.count("\n"))
        if kind != "whitespace":
            previous = kind
    return "".join(parts), expressions


class _Shown(HTMLParser):
    """Collects the text and the shown attribute values of a page, with their lines."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.shown: list[tuple[int, str, str]] = []
        self._hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        attributes = dict(attrs)
        for name, value in attrs:
            shown = name in SHOWN_ATTRIBUTES or (
                name == "value" and tag == "input" and attributes.get("type") in BUTTON_TYPES
            )
            if shown and value:
                self.shown.append((self.getpos()[0], f"<{tag} {name}>", value))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data):
        if not self._hidden:
            self.shown.append((self.getpos()[0], "text", data))


def _template_findings(path: Path, source: str) -> list[str]:
    text, expressions = _literal_text(source)
    if path.suffix == ".txt":
        shown = [(n + 1, "text", line) for n, line in enumerate(text.split("\n"))]
    else:
        parser = _Shown()
        parser.feed(text)
        parser.close()
        shown = parser.shown
    name = path.relative_to(ROOT)
    findings = _expression_findings(name, source)
    for line, where, value in shown:
        words = _words(EXPRESSION_RE.sub(" ", value))
        if words:
            findings.append(f"{name}:{line}: {where}: untranslated {' '.join(words)!r}")
        for index in EXPRESSION_RE.findall(value):
            expression = expressions[int(index)]
            for printed in _printed_strings(expression):
                if _words(printed):
                    findings.append(f"{name}:{line}: {where}: untranslated {printed!r}")
            if where == "text" and RAW_ENUM.search(expression):
                findings.append(f"{name}:{line}: {where}: raw enum {{{{ {expression} }}}}")
    return findings


SHOWN_KEYWORDS = {"message", "label", "title", "heading", "placeholder", "hint", "caption"}


def _shown_strings(node: nodes.Node):
    """String literals of expressions that a page prints as they are:
    ``{{ "Save" }}``, ``{{ "Open" if x else _("Closed") }}``,
    ``{% set title = "Groups" %}``, ``{{ field(f.x, label="Name") }}``."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        yield node
    elif isinstance(node, nodes.CondExpr):
        yield from _shown_strings(node.expr1)
        if node.expr2 is not None:
            yield from _shown_strings(node.expr2)
    elif isinstance(node, nodes.Concat):
        for part in node.nodes:
            yield from _shown_strings(part)
    elif isinstance(node, nodes.Filter) and node.name in ("upper", "lower", "capitalize", "title"):
        yield from _shown_strings(node.node)


def _printed_strings(expression: str) -> list[str]:
    """The literals that ``{{ expression }}`` prints as they are."""
    output = ENV.parse("{{ " + expression + " }}").find(nodes.Output)
    return [c.value for n in output.nodes for c in _shown_strings(n)] if output else []


def _expression_findings(name: Path, source: str) -> list[str]:
    """Literals given to a shown name: ``{% set title %}``, ``label=`` of a macro."""
    findings = []
    for node in ENV.parse(source).find_all((nodes.Assign, nodes.Keyword)):
        if isinstance(node, nodes.Assign):
            target = node.target
            shown = []
            if isinstance(target, nodes.Name) and target.name in SHOWN_KEYWORDS:
                shown = list(_shown_strings(node.node))
        else:
            shown = list(_shown_strings(node.value)) if node.key in SHOWN_KEYWORDS else []
        for const in shown:
            words = _words(const.value)
            if words:
                findings.append(f"{name}:{const.lineno}: expression: untranslated {const.value!r}")
    return findings


def _templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


def test_templates_show_no_untranslated_words():
    findings = []
    for path in _templates():
        findings += _template_findings(path, path.read_text(encoding="utf-8"))
    assert not findings, "\n".join(findings)


def test_the_template_check_finds_what_it_is_for():
    source = (
        '<h1>Participants</h1><p title="Delete it">{{ _("ok") }} items</p>'
        '<input type="submit" value="Save"><option>Other</option>'
        "<td>{{ m.state.value }}</td><td class='x-{{ m.state.value }}'>"
        '{# a comment #}<!-- Konsey HTML comment --> &nbsp; UTC <input placeholder="user."> '
        "{% trans %}Hello{% endtrans %}"
        "{{ 'Open' if x else _('Closed') }}{% set title = 'Groups' %}{% set active = 'home' %}"
        "{{ field(f.x, label='Name', autocomplete='username') }}{{ url_for('web.index') }}"
    )
    findings = _template_findings(TEMPLATES / "x.html", source)
    assert findings == [
        "templates/x.html:1: expression: untranslated 'Groups'",
        "templates/x.html:1: expression: untranslated 'Name'",
        "templates/x.html:1: text: untranslated 'Participants'",
        "templates/x.html:1: <p title>: untranslated 'Delete it'",
        "templates/x.html:1: text: untranslated 'items'",
        "templates/x.html:1: <input value>: untranslated 'Save'",
        "templates/x.html:1: text: untranslated 'Other'",
        "templates/x.html:1: text: raw enum {{ m.state.value }}",
        "templates/x.html:1: text: untranslated 'Open'",
    ]
    assert _template_findings(TEMPLATES / "x.txt", "Hello {{ name }},\n{{ _('Bye') }}") == [
        "templates/x.txt:1: text: untranslated 'Hello'"
    ]


# --- Python ------------------------------------------------------------------------

# N_ marks a text stored in English and translated where it is shown (konsey.i18n).
TRANSLATE = {"_", "_l", "N_", "gettext", "ngettext", "lazy_gettext", "lazy_ngettext", "pgettext"}
# Console commands for operators print English, like flask's own CLI; demo and
# generated data are content, not interface.
NOT_INTERFACE = ("migrations", "demo", "scale", "backup", "cli.py", "maintenance.py")
# Parameters and keys that carry a text a user reads.
SHOWN_NAMES = {"message", "label", "subject", "title", "heading"}
SHOWN_KEYS = {"message", "error", "title", "label"}
# Attributes a page shows as they are stored: the outbox's reason for a failure.
SHOWN_ATTRIBUTES_STORED = {"last_error"}


def _modules() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob("*.py")
        if not any(part in NOT_INTERFACE for part in p.relative_to(PACKAGE).parts)
    )


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _service_errors(trees: dict[Path, ast.Module]) -> set[str]:
    """ServiceError and every class derived from it, across the package."""
    errors = {"ServiceError", "ValidationError"}
    classes = [n for t in trees.values() for n in ast.walk(t) if isinstance(n, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for c in classes:
            if c.name not in errors and any(_name(b) in errors for b in c.bases):
                errors.add(c.name)
                grew = True
    return errors


def _parameters(trees: dict[Path, ast.Module]) -> dict[str, list[str]]:
    """Positional parameter names of the package's own functions (by name)."""
    found: dict[str, list[str]] = {}
    for tree in trees.values():
        for n in ast.walk(tree):
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [a.arg for a in n.args.posonlyargs + n.args.args]
                found.setdefault(n.name, names)
    return found


def _assignments(statements) -> dict[str, list[ast.AST]]:
    """What each plain name is assigned among these nodes."""
    found: dict[str, list[ast.AST]] = {}
    for n in statements:
        if isinstance(n, ast.Assign):
            for target in n.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(n.value)
        elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and n.value:
            found.setdefault(n.target.id, []).append(n.value)
    return found


class _Scope:
    """Resolves a name to what it holds: a function's own assignments (any of
    them: ``message = "…"`` on one branch is enough), else the module's; and
    a call of the module's own function to what it returns."""

    def __init__(self, module: dict[str, list[ast.AST]], local: dict[str, list[ast.AST]]):
        self.module = module
        self.names = {**module, **local}
        self.functions: dict[str, ast.FunctionDef] = {}

    def returned(self, function: ast.FunctionDef, depth: int) -> str | None:
        scope = _Scope(self.module, _assignments(ast.walk(function)))
        scope.functions = self.functions
        for node in ast.walk(function):
            if isinstance(node, ast.Return) and node.value is not None:
                text = scope.untranslated(node.value, depth + 1)
                if text:
                    return text
        return None

    def untranslated(self, node: ast.AST, depth: int = 0) -> str | None:
        """The English text this expression shows, if it is a literal (or a
        name assigned one) that no translation call wraps."""
        if depth > 3:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value if _words(node.value) else None
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            return text if _words(text) else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
            return self.untranslated(node.left, depth + 1) or (
                self.untranslated(node.right, depth + 1) if isinstance(node.op, ast.Add) else None
            )
        if isinstance(node, ast.IfExp):
            return self.untranslated(node.body, depth + 1) or self.untranslated(
                node.orelse, depth + 1
            )
        if isinstance(node, ast.Call):
            if _name(node.func) == "format" and isinstance(node.func, ast.Attribute):
                return self.untranslated(node.func.value, depth + 1)
            if _name(node.func) == "str" and node.args:
                return self.untranslated(node.args[0], depth + 1)
            if isinstance(node.func, ast.Name) and node.func.id in self.functions:
                return self.returned(self.functions[node.func.id], depth)
            return None
        if isinstance(node, ast.Name):
            for value in self.names.get(node.id, []):
                text = self.untranslated(value, depth + 1)
                if text:
                    return text
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            for table in self.names.get(node.value.id, []):
                if isinstance(table, ast.Dict):
                    for value in table.values:
                        text = self.untranslated(value, depth + 1)
                        if text:
                            return text
        return None


def _shown_arguments(call: ast.Call, errors: set[str], parameters: dict[str, list[str]]):
    """The arguments of this call that a user reads."""
    func = _name(call.func)
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if func in TRANSLATE:
        yield from keywords.values()  # placeholder values are shown inside the message
        return
    if func == "flash" and call.args:
        yield call.args[0]
    if func in errors:
        yield from call.args[:1]
    if func == "abort" and "description" in keywords:
        yield keywords["description"]
    if func == "json_error" and len(call.args) > 2:
        yield call.args[2]
    if func == "jsonify":
        yield from (v for k, v in keywords.items() if k in SHOWN_KEYS)  # like a dict's keys
    if func.endswith("Field") and call.args:
        yield call.args[0]  # a WTForms field's label
    for name, value in keywords.items():
        if name in SHOWN_NAMES:
            yield value
    if "choices" in keywords:
        yield from _choice_labels(keywords["choices"])
    for name, value in zip(parameters.get(func, []), call.args, strict=False):
        if name in SHOWN_NAMES:
            yield value


def _choice_labels(node: ast.AST):
    """The labels of a literal list of ``(value, label)`` choices."""
    if isinstance(node, ast.BinOp):  # [("", _("all"))] + [...]
        yield from _choice_labels(node.left)
        yield from _choice_labels(node.right)
    elif isinstance(node, ast.List | ast.Tuple):
        for item in node.elts:
            if isinstance(item, ast.Tuple) and len(item.elts) == 2:
                yield item.elts[1]
    elif isinstance(node, ast.ListComp) and isinstance(node.elt, ast.Tuple):
        yield from node.elt.elts[1:2]


def _python_findings(trees: dict[Path, ast.Module]) -> list[str]:
    errors = _service_errors(trees)
    parameters = _parameters(trees)
    findings = set()
    for path, tree in trees.items():
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        constants = _assignments(tree.body)
        functions = [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        scopes = [(tree, _Scope(constants, {}))] + [
            (f, _Scope(constants, _assignments(ast.walk(f)))) for f in functions
        ]
        for top, scope in scopes:
            scope.functions = {f.name: f for f in functions}
            findings |= _scope_findings(name, top, scope, errors, parameters)
    return sorted(findings)


def _scope_findings(name, top, scope, errors, parameters) -> set[str]:
    findings = set()
    for node in ast.walk(top):
        shown: list[ast.AST] = []
        if isinstance(node, ast.Call):
            shown = list(_shown_arguments(node, errors, parameters))
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "choices" for t in node.targets
        ):
            shown = list(_choice_labels(node.value))
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr in SHOWN_ATTRIBUTES_STORED for t in node.targets
        ):
            shown = [node.value]
        elif isinstance(node, ast.Dict):
            shown = [
                v
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value in SHOWN_KEYS
            ]
        for value in shown:
            text = scope.untranslated(value)
            if text:
                findings.add(f"{name}:{value.lineno}: untranslated {text!r}")
    return findings


def test_python_messages_are_translated():
    trees = {p: ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in _modules()}
    findings = _python_findings(trees)
    assert not findings, "\n".join(findings)


def test_the_python_check_finds_what_it_is_for():
    source = """
KINDS = "PDF, Word, plain text"
TEXTS = {"a": "Sent back"}

class Refused(ValidationError):
    pass

def note(subject, body):
    pass

def view(n):
    flash("Saved.", "success")
    flash(_("Saved."), "success")
    raise Refused(f"{n} is taken", "name")
    abort(400, description="Bad date")
    abort(404)
    note("Your reminder", body)
    x = _("Accepted: %(kinds)s.", kinds=KINDS)
    y = {"error": {"code": "not_found", "message": TEXTS[n]}}
    return jsonify(error="Send the ids."), 400
    z = _("Due %(date)s", date=n.isoformat())
    done = _("Saved.") if n else "Nothing to save."
    flash(done)
    row.last_error = gone(row)
    row.last_error = f"{type(exc).__name__}: {exc}"
    StringField(_l("Name")), StringField("Email")
    form.kind.choices = [("", "Any kind")] + [(k.value, labels[k]) for k in kinds]

def gone(row):
    if row.kind:
        return f"Not sent: the {row.kind} was deleted."
    return None
"""
    tree = ast.parse(source)
    findings = _python_findings({Path("m.py"): tree})
    assert findings == [
        "m.py:12: untranslated 'Saved.'",
        "m.py:14: untranslated ' is taken'",
        "m.py:15: untranslated 'Bad date'",
        "m.py:17: untranslated 'Your reminder'",
        "m.py:18: untranslated 'PDF, Word, plain text'",
        "m.py:19: untranslated 'Sent back'",
        "m.py:20: untranslated 'Send the ids.'",
        "m.py:23: untranslated 'Nothing to save.'",
        "m.py:24: untranslated 'Not sent: the  was deleted.'",
        "m.py:26: untranslated 'Email'",
        "m.py:27: untranslated 'Any kind'",
    ]


# --- scripts -----------------------------------------------------------------------

SCRIPTS = PACKAGE / "static" / "js"
# A script shows only texts the page gives it (data attributes, the page's own
# elements): a text literal put into the page or said by a dialog is English.
SCRIPT_TEXT = re.compile(
    r"""(?:\.(?:textContent|innerText|innerHTML|title|placeholder|ariaLabel)\s*\+?=\s*"""
    r"""|\b(?:announce|alert|confirm|prompt)\(\s*"""
    r"""|setAttribute\(\s*["'](?:aria-label|title|placeholder|alt)["']\s*,\s*)"""
    r"""(["'`])((?:(?!\1).)*)\1"""
)


def _script_findings(name: str, source: str) -> list[str]:
    return [
        f"{name}:{source.count(chr(10), 0, m.start()) + 1}: untranslated {m.group(2)!r}"
        for m in SCRIPT_TEXT.finditer(source)
        if _words(m.group(2))
    ]


def test_scripts_take_their_texts_from_the_page():
    findings = []
    for path in sorted(SCRIPTS.glob("*.js")):
        if not path.name.endswith(".min.js"):  # vendored, shows no text of ours
            findings += _script_findings(path.name, path.read_text(encoding="utf-8"))
    assert not findings, "\n".join(findings)


def test_the_script_check_finds_what_it_is_for():
    source = (
        'live.textContent = "Moved.";\n'
        "announce('Item moved');\n"
        'el.setAttribute("aria-label", "Drag to move");\n'
        'live.textContent = li.getAttribute("data-moved");\n'
        'el.textContent = "";\n'
    )
    assert _script_findings("x.js", source) == [
        "x.js:1: untranslated 'Moved.'",
        "x.js:2: untranslated 'Item moved'",
        "x.js:3: untranslated 'Drag to move'",
    ]
