"""Seeded generators of SPARQL queries and updates made to trip a reader that is not the engine.

For `test_guard_fuzz.py`, which holds the guard's reading of each text to the engine's. Many
texts are SPARQL only nearly, on purpose: one the engine refuses costs little, while one it
reads otherwise than the guard is a finding. Two generators, each from a fuzzing run that
found such texts:

- `KeywordTexts`: keywords in any case, run into names (`PREFIXg:`, `CONSTRUCTWHERE`), inside
  comments and strings, near codepoint escapes (`\\u0022`) and in IRIs written as prefixed
  names, relative to a BASE or with an escape;
- `NameTexts`: names holding the characters SPARQL allows in names beyond Python's `\\w` (and
  some it does not), keywords inside names, local parts starting with `.` or `-`
  (`ex:.SERVICE`), unusual spaces and line breaks, odd escapes.

Every IRI (but XML Schema's, only ever a datatype) is on the `authority` given, a local
listener in the test: a SERVICE or LOAD the engine runs reaches it, and nothing else. No
random choice depends on the authority, so a seed makes the same texts on any port (but for
the port's digits).
"""

from __future__ import annotations

import random
from collections.abc import Callable

# Letters the lexer once read otherwise than SPARQL 1.1 (section 19.8) and the engine do: name
# characters beyond Python's \w (ZWNJ, ZWJ, U+00B7, U+203F, combining marks, U+10000), and
# characters that are no name characters but are \w or spaces to Python (U+2100, U+1680, ...).
ODD_LETTERS = (
    "\u200d",
    "\u200c",
    "\u3001",
    "\u1680",
    "\u0589",
    "\u2100",
    "\uff01",
    "\ufeff",
    "\u2e80",
    "\u00b7",
    "\u0300",
    "\u203f",
    "\u00aa",
    "\u00b2",
    "\u2070",
    "\U00010000",
    "\u0f0b",
)
# line ends of other systems and of Unicode: SPARQL ends a comment at \n or \r only
LINE_BREAKS = ("\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085", "\x0c", "\x0b", "\x00")
SPACES = (" ", "\t", "\n", "\r\n", "\x0c", "\x0b", "\u00a0", "\u2028", "\u3000", "\ufeff", "\x00")
KEYWORDS = (
    "FROM",
    "SERVICE",
    "LOAD",
    "USING",
    "WITH",
    "NAMED",
    "PREFIX",
    "SELECT",
    "INSERT",
    "WHERE",
    "GRAPH",
    "INTO",
    "TO",
    "DATA",
    "SILENT",
    "DELETE",
)
# escapes that decode to a delimiter, to no character (a lone surrogate, out of range) or to
# one outside the Basic Multilingual Plane
ODD_ESCAPES = (
    "\\uD800",
    "\\uDFFF",
    "\\U00110000",
    "\\UFFFFFFFF",
    "\\U0000003E",
    "\\u0023",
    "\\u0020",
    "\\u007D",
    "\\u0022",
    "\\u000A",
    "\\u2028",
    "\\U0001F600",
)


def escape(char: str, rng: random.Random) -> str:
    """A SPARQL codepoint escape of `char`, short or long."""
    code = ord(char)
    short = f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"
    return rng.choice((short, f"\\U{code:08x}"))


class Texts:
    """A generator of texts: the random choices both make, from one seeded `random.Random`."""

    def __init__(self, rng: random.Random, authority: str) -> None:
        self.rng = rng
        self.data = f"http://{authority}/"  # the graphs g1, g2 and g3, the terms s and p
        self.remote = f"http://{authority}/sparql/"  # what SERVICE and LOAD name

    def one(self, *options: str | Callable[[], str]) -> str:
        """One of the options, each as likely: a text, or what a maker makes (only the maker
        chosen is called, so the others draw nothing)."""
        chosen = self.rng.choice(options)
        return chosen if isinstance(chosen, str) else chosen()

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def escaped_path(self, iri: str) -> str:
        """`iri` with one character of its path escaped (not of the authority: the choice
        would then depend on the port's length)."""
        path_start = self.data.index("/", len("http://"))
        at = path_start + self.rng.randrange(len(iri) - path_start)
        return iri[:at] + escape(iri[at], self.rng) + iri[at + 1 :]

    def query(self) -> str:
        raise NotImplementedError

    def update(self) -> str:
        raise NotImplementedError


class KeywordTexts(Texts):
    """Texts with keywords where a reader may miss one or see one too many."""

    def __init__(self, rng: random.Random, authority: str) -> None:
        super().__init__(rng, authority)
        self.prefixes: list[str] = []  # declared for the data namespace, in this text
        self.base_is_data = False

    # -- spelling
    def keyword(self, word: str) -> str:
        draw = self.rng.random()
        if draw < 0.5:
            return word.upper()
        if draw < 0.7:
            return word.lower()
        if draw < 0.77:
            return word.capitalize()
        if draw < 0.8 and len(word) > 1:  # the engine reads no escape in a keyword: no keyword
            at = self.rng.randrange(len(word))
            return word[:at] + escape(word[at], self.rng) + word[at + 1 :]
        return "".join(c.upper() if self.chance(0.5) else c.lower() for c in word)

    def keywords(self, *words: str) -> str:
        """Keywords one after the other, each spelt by `keyword`, a `separator` between two."""
        out = self.keyword(words[0])
        for word in words[1:]:
            out += self.separator() + self.keyword(word)
        return out

    def comment(self) -> str:
        said = self.one(
            "",
            f" FROM <{self.data}g2>",
            f" SERVICE <{self.remote}> {{}}",
            " ' \" { } ( [",
            " \\u0022",
            " LOAD",
            "<x",
            " WITH",
        )
        return "#" + said + self.one("\n", "\r\n", "\r")

    def space(self, allow_empty: bool = True) -> str:
        draw = self.rng.random()
        if allow_empty and draw < 0.25:
            return ""
        if draw < 0.6:
            return " "
        if draw < 0.7:
            return self.one("\n", "\t", "\r\n", "  ", "\u00a0")
        return self.one(" ", "\n", "") + self.comment()

    def separator(self) -> str:
        """Mostly some space; sometimes none, which runs a keyword into what follows."""
        return self.space(allow_empty=False) if self.chance(0.6) else self.space()

    # -- terms
    def iri(self, target: str) -> str:
        """`target` (in the data namespace, or not) as an IRI or a prefixed name."""
        if not target.startswith(self.data):
            return f"<{target}>"
        local = target[len(self.data) :]
        way = self.one("full", "pname", "pname", "relative", "escaped", "escape and fragment")
        if way == "pname" and self.prefixes:
            return f"{self.one(*self.prefixes)}:{local}"
        if way == "relative" and self.base_is_data:
            return f"<{local}>"
        if way == "escaped":
            return f"<{self.escaped_path(target)}>"
        if way == "escape and fragment":  # a lexer that skips the escape sees `#` as a comment
            return f"<{self.data}\\u0078#{local}>"
        return f"<{target}>"

    def literal(self) -> str:
        quote = self.one("'", '"', "'''", '"""')
        text = quote + self.literal_body(quote) + quote
        draw = self.rng.random()
        if draw < 0.15:
            return text + "@" + self.one("en", "en-US", "fr-be")
        if draw < 0.25:
            xsd = (
                "xsd:string"
                if "xsd" in self.prefixes
                else "<http://www.w3.org/2001/XMLSchema#string>"
            )
            return text + "^^" + xsd
        return text

    def literal_body(self, quote: str) -> str:
        body = self.one(
            "x",
            f"FROM <{self.data}g2>",
            f"SERVICE <{self.remote}>",
            "LOAD",
            "a#b",
            "}{",
            "\\u0022",
            "\\u0027",
            '\\"',
            "\\'",
            "\\n",
            "\\U00000022",
            "with using",
            "\u00e9\u00df",
            "\\\\",
            "''",
            '""',
        )
        if len(quote) == 1:
            if "\\" + quote not in body:
                body = body.replace(quote, "\\" + quote)
            return body + "x" if body.endswith("\\") and not body.endswith("\\\\") else body
        body = self.one(body, body + "\n" + body, "\n" + body + "\n")
        return "x" if quote in body or body.endswith(quote[0]) else body

    def variable(self) -> str:
        name = self.one(
            "x",
            "y",
            "from",
            "FROM",
            "service",
            "load",
            "with",
            "selectx",
            "using",
            "z\u00e9",
            "x_1",
        )
        return self.one("?", "$") + name

    # -- the prologue and the dataset
    def prologue(self) -> str:
        self.prefixes, self.base_is_data = [], False
        parts = []
        if self.chance(0.1):
            parts.append(
                self.keyword("VERSION") + self.space() + self.one('"1.2"', "'1.2'", '"1.1"')
            )
        for _ in range(self.rng.randrange(4)):
            parts.append(self.base() if self.chance(0.25) else self.prefix())
        return "".join(part + self.separator() for part in parts)

    def base(self) -> str:
        iri = self.one(f"<{self.data}>", f"<{self.data}x/../>", f"<{self.data}\\u0078#>")
        self.base_is_data = not iri.endswith("#>")
        return self.keyword("BASE") + self.space() + iri

    def prefix(self) -> str:
        name = self.one(
            "ex",
            "",
            "e.x",
            "fromage",
            "usingx",
            "\u00e9x",
            "x-y",
            "a1",
            "withx",
            "xsd",
            "from",
            "service",
            "upload",
            "serviceX",
        )
        remote = name in ("service", "serviceX", "upload")
        namespace = self.remote if remote else self.data
        written = self.one(f"<{namespace}>", f"<{namespace}>", f"<{namespace[:-1]}\\u002F>")
        if not remote:
            self.prefixes.append(name)
        return self.keyword("PREFIX") + self.separator() + f"{name}:" + self.space() + written

    def dataset(self) -> str:
        clauses = ""
        for _ in range(self.rng.choice((0, 0, 1, 1, 2))):
            keyword = self.keywords("FROM", "NAMED") if self.chance(0.3) else self.keyword("FROM")
            graph = self.iri(self.data + self.one("g1", "g2", "g3"))
            clauses += self.separator() + keyword + self.space() + graph
        return clauses

    # -- patterns
    def noise(self, depth: int = 0) -> str:
        """One more element of a group: a filter, a binding, an optional pattern, ..."""
        makers: tuple[Callable[[], str], ...] = (
            self.filter,
            lambda: f"BIND({self.literal()} AS ?b{self.rng.randrange(99)})",
            lambda: (
                f"OPTIONAL {{{self.space()}{self.variable()} {self.term('q')} "
                f"{self.literal()}{self.space()}}}"
            ),
            lambda: f"OPTIONAL {{ GRAPH ?g {{{self.space()}?s a ?t{self.space()}}} }}",
            self.path,
            lambda: f"OPTIONAL {{ _:b{self.rng.randrange(9)} ?bp [ {self.term('q')} ?bo ] }}",
            lambda: f"OPTIONAL {{ {{ SELECT ?sq WHERE {{ ?sq ?p2 {self.literal()} }} LIMIT 1 }} }}",
            lambda: f"OPTIONAL {{ ?s ?p ( 1 {self.literal()} ) }}",
            lambda: (
                f"VALUES ?v{self.rng.randrange(9)} {{ {self.literal()} UNDEF {self.term('g1')} }}"
            ),
            lambda: "OPTIONAL {" + self.noise(depth + 1) + "}" if depth < 3 else "{}",
            lambda: f"{{ }} UNION {{ {self.variable()} ?pu ?ou }}",
            lambda: (
                f"FILTER {self.one('regex', 'CONTAINS', 'STRSTARTS')}(STR(?o), "
                f"{self.literal()}) || true"
            ),
            self.triple_term,
            self.odd_object,
            lambda: (
                "OPTIONAL { ?s ?p "
                + self.one("1", "1.5", ".5", "1e3", "true", "false", "-1", "+2")
                + " }"
            ),
        )
        return self.one(*makers)

    def term(self, local: str) -> str:
        return self.iri(self.data + local)

    def filter(self) -> str:
        condition = self.one(
            "true",
            "1<2",
            f"?s!=<{self.data}zz>",
            "BOUND(?s)||true",
            lambda: f"STRLEN({self.literal()})>=0",
            "1.0e0>0",
            "?o=?o||true",
        )
        return f"FILTER({condition})"

    def path(self) -> str:
        step = self.one("/", "|", "*", "+", "?", "/^")
        return f"OPTIONAL {{{self.space()}?s {self.term('p')}{step}{self.term('p')} ?pp }}"

    def triple_term(self) -> str:
        written = self.one(
            "<<?s ?p ?o>>", "<<?s?p?o>>", "<<( ?s ?p ?o )>>", f"<<?s <{self.data}p> ?o ~ _:r>>"
        )
        return f"OPTIONAL {{ {written} ?ap ?ao }}"

    def odd_object(self) -> str:
        """A prefixed name that holds a keyword or a character a reader may stop at."""
        if "ex" not in self.prefixes:
            return "{}"
        written = self.one(
            "ex:a\\#b",
            "ex:%41",
            "ex:a.b",
            "ex:a:b",
            "ex:FROM",
            "ex:SERVICE",
            "ex:\\-x",
            "'x'@en--ltr",
            "ex:LOAD",
        )
        return f"OPTIONAL {{ ?s ?p {written} }}"

    def service(self) -> str:
        targets = [f"<{self.remote}>", f"<{self.remote[:-1]}\\u002F>"]
        targets += [f"{self.one(*self.prefixes)}:svc"] if self.prefixes else []
        target = self.rng.choice(targets)
        keyword = (
            self.keywords("SERVICE", "SILENT") if self.chance(0.2) else self.keyword("SERVICE")
        )
        # right after a term, the keyword may run into it (`trueSERVICE`, `'x'SERVICE`)
        before = self.one(
            "", "", "FILTER(true)", "?s ?p 1", "?s ?p true", "?s ?p 'x'", "?s ?p ?o .", "{}"
        )
        pattern = self.one("", "?s ?p ?o")
        body = "{" + self.space() + pattern + self.space() + "}"
        return before + keyword + self.space() + target + self.space() + body

    def group(self, service: bool = False) -> str:
        elements = [self.one("?s ?p ?o", "?s?p?o", f"?s {self.term('p')} ?o", "?s ?p ?o .")]
        for _ in range(self.rng.randrange(4)):
            elements.insert(self.rng.randrange(len(elements) + 1), self.noise())
        if service:
            elements.insert(self.rng.randrange(len(elements) + 1), self.service())
        body = "".join(e + self.one(" ", " . ", "\n", "") + self.space() for e in elements)
        return "{" + self.space() + body + "}"

    # -- queries
    def query(self) -> str:
        prologue = self.prologue()
        form = self.one("SELECT", "SELECT", "ASK", "CONSTRUCT", "CONSTRUCT WHERE", "DESCRIBE")
        service = self.chance(0.2)
        dataset = self.dataset()
        where = self.keyword("WHERE") + self.space() if self.chance(0.6) else ""
        if form == "CONSTRUCT WHERE":  # the short form: the template is the pattern
            where = self.keyword("WHERE") + self.space()
            pattern = "{" + self.space() + "?s ?p ?o" + self.space() + "}"
            head = self.keyword("CONSTRUCT") + dataset + self.separator()
            return prologue + head + where + pattern + self.tail()
        head = self.head(form) + dataset + self.space()
        return prologue + head + where + self.group(service) + self.tail()

    def head(self, form: str) -> str:
        if form == "SELECT":
            return self.keyword("SELECT") + self.space() + self.projection()
        if form == "CONSTRUCT":
            template = "{" + self.space() + "?s ?p ?o" + self.space() + "}"
            return self.keyword("CONSTRUCT") + self.space() + template
        if form == "DESCRIBE":
            described = self.one("?s", "?o", "*", lambda: self.term("s"))
            return self.keyword("DESCRIBE") + self.space() + described
        return self.keyword("ASK")

    def projection(self) -> str:
        projected = self.one(
            "*",
            "?o",
            "?s ?o",
            "(?o AS ?oo)",
            "DISTINCT ?o",
            "REDUCED *",
            lambda: f"?o ({self.literal()} AS ?lit)",
        )
        for word in ("DISTINCT", "REDUCED"):
            projected = projected.replace(word, self.keyword(word))
        return projected.replace(" AS ", " " + self.keyword("AS") + " ")

    def tail(self) -> str:
        # LIMIT above any answer's size: which rows a smaller one keeps is the engine's choice
        out = ""
        if self.chance(0.2):
            order = self.keywords("ORDER", "BY")
            out += self.space() + order + self.space() + self.one("?o", "DESC(?o)", "(STR(?o))")
        if self.chance(0.2):
            out += self.separator() + self.keyword("LIMIT") + self.separator() + "1000"
        if self.chance(0.15):
            values = "?zz {" + self.space() + self.literal() + self.space() + "}"
            out += self.space() + self.keyword("VALUES") + self.space() + values
        return out + self.space() if self.chance(0.3) else out

    # -- updates
    def update(self) -> str:
        prologue = self.prologue()
        makers = (
            self.insert_data,
            self.delete_data,
            self.modify,
            lambda: self.modify(with_graph=True),
            self.load,
            self.clear,
            self.create,
            self.delete_where,
        )
        operations = [self.one(*makers) for _ in range(self.rng.randrange(1, 4))]
        joined = (self.space() + ";" + self.space()).join(operations)
        return prologue + joined + self.one("", ";", " ;")

    def insert_data(self) -> str:
        triple = f"{self.term('s')} {self.term('p')} {self.literal()}"
        data = "{" + self.space() + triple + self.space() + "}"
        return self.keywords("INSERT", "DATA") + self.space() + data

    def delete_data(self) -> str:
        data = f"{{ <{self.data}s> <{self.data}p> {self.literal()} }}"
        return self.keywords("DELETE", "DATA") + self.space() + data

    def modify(self, with_graph: bool = False) -> str:
        graph = ""
        if with_graph:
            graph = self.keyword("WITH") + self.space() + self.term("g1") + self.separator()
        template = "{" + self.space() + "?s ?p " + self.literal() + " }"
        using = "".join(self.using() for _ in range(self.rng.choice((0, 1, 2))))
        where = self.keyword("WHERE") + self.space() + self.group(self.chance(0.2))
        insert = self.keyword("INSERT") + self.space() + template + using + self.space() + where
        return graph + insert

    def using(self) -> str:
        keyword = self.keywords("USING", "NAMED") if self.chance(0.3) else self.keyword("USING")
        return self.separator() + keyword + self.space() + self.term(self.one("g1", "g2"))

    def load(self) -> str:
        silent = self.one("", lambda: f" {self.keyword('SILENT')} ", self.space)
        source = self.iri(self.one(self.remote + "x", self.data + "x"))
        into = ""
        if self.chance(0.3):
            into = (
                self.separator() + self.keywords("INTO", "GRAPH") + self.space() + self.term("g9")
            )
        return self.keyword("LOAD") + silent + source + into

    def clear(self) -> str:
        silent = self.one(lambda: self.keyword("SILENT") + self.separator(), "")
        graph = self.one(
            lambda: self.keyword("ALL"),
            lambda: self.keyword("GRAPH") + self.space() + self.term("g2"),
        )
        return self.keyword("CLEAR") + self.separator() + silent + graph

    def create(self) -> str:
        graph = self.term(f"g{self.rng.randrange(5, 99)}")
        return self.keywords("CREATE", "GRAPH") + self.space() + graph

    def delete_where(self) -> str:
        pattern = "{ ?s ?p " + self.literal() + " }"
        return self.keywords("DELETE", "WHERE") + self.space() + pattern


class NameTexts(Texts):
    """Texts whose names, spaces and escapes a reader may split or join otherwise."""

    def __init__(self, rng: random.Random, authority: str) -> None:
        super().__init__(rng, authority)
        self.prefixes: list[str] = []  # declared for the data namespace, in this text

    # -- spelling
    def space(self) -> str:
        # mostly SPARQL's own spaces: a text with an odd one is seldom valid, and only a valid
        # text can show a disagreement
        return self.one(*[" "] * 10, "\n", "\n", "\t", "\r\n", "", *SPACES)

    def comment(self) -> str:
        said = self.one("", " x", f" FROM <{self.data}g2>", f" SERVICE <{self.remote}> {{}}")
        return "#" + said + self.one(*LINE_BREAKS)

    def separator(self) -> str:
        draw = self.rng.random()
        if draw < 0.75:
            return " "
        return self.space() if draw < 0.93 else " " + self.comment()

    def odd_escape(self) -> str:
        return self.one(*ODD_ESCAPES)

    def name(self) -> str:
        """A prefix, variable or blank node name, with an odd letter or a keyword in it."""
        name = self.one(
            "ex",
            "a",
            "g",
            "x1",
            "fromx",
            "withx",
            "usingx",
            "servicex",
            "loadx",
            "intox",
            "tox",
            "graphx",
        )
        if self.chance(0.2):
            name += self.one(*ODD_LETTERS)
        if self.chance(0.3):
            name += self.one(*KEYWORDS)
        return name

    def local(self) -> str:
        """A prefixed name's local part; `.`, `-` and `:` are name characters only inside one."""
        start = self.one("", "g1", "g2", "s", ".", "-")
        rest = self.one(
            "",
            "SERVICE",
            "FROM",
            "LOAD",
            "g1",
            lambda: self.one(*ODD_LETTERS) + self.one(*KEYWORDS),
            lambda: escape("a", self.rng),
            self.odd_escape,
            "\\.",
            ":",
            "%41",
        )
        return start + rest

    # -- the prologue
    def prologue(self) -> str:
        self.prefixes = []
        out = self.version() if self.chance(0.15) else ""
        for _ in range(self.rng.randrange(3)):
            out += self.prefix()
        if self.chance(0.15):
            base = self.one(
                f"<{self.data}>", f"<{self.data}\\u0078#>", f"<{self.data}x\\U0000002F../>"
            )
            out += "BASE" + self.separator() + base + self.separator()
        return out

    def version(self) -> str:
        keyword = self.one("VERSION", "VERSION\\u0020", "VER\\u0053ION")
        version = self.one('"1.2"', '"\\u0031.2"', '"1.2\\u0022', "'1.1'")
        return keyword + self.separator() + version + self.separator()

    def prefix(self) -> str:
        name = self.one("", "ex", self.name)
        namespace = self.one(
            self.data,
            self.data,
            lambda: self.data[:-1] + escape("/", self.rng),
            self.data,
            lambda: self.one(lambda: self.data + self.odd_escape(), self.remote),
        )
        if namespace.startswith(self.data):
            self.prefixes.append(name)
        after = self.one(" ", self.separator, lambda: " " + self.comment(), self.comment)
        keyword = self.one("PREFIX", "prefix")
        return keyword + after + name + ":" + self.separator() + f"<{namespace}>" + self.separator()

    # -- terms
    def iri(self, local: str = "g1") -> str:
        if self.prefixes and self.chance(0.6):
            return self.one(*self.prefixes) + ":" + self.one(local, self.local)
        written = self.one(
            lambda: self.data + local,
            lambda: self.data + local + self.one("", "", self.odd_escape()),
            lambda: self.data + escape(local[0], self.rng) + local[1:],
        )
        return f"<{written}>"

    def term(self) -> str:
        draw = self.rng.random()
        if draw < 0.3:
            return self.one("?", "$") + self.name()
        if draw < 0.5:
            return "_:" + self.name() + self.one("", "", "", self.odd_escape, ".x")
        if draw < 0.7:
            return self.literal()
        return self.iri(self.one("s", "o", "g1"))

    def literal(self) -> str:
        text = self.one('"x"', "'y'", lambda: '"a' + self.odd_escape() + '"', '"\\U00000022"')
        language = self.one(
            "",
            "@en",
            lambda: "@en-" + self.one(*KEYWORDS),
            "@e\\u006E",
            "@en--ltr",
            lambda: "@" + self.one(*KEYWORDS).lower(),
        )
        return text + language

    # -- patterns
    def group(self) -> str:
        parts = ["?s ?p ?o"] + [self.element() for _ in range(self.rng.randrange(3))]
        self.rng.shuffle(parts)
        joint = self.one(" . ", " .", "\n", lambda: " . " + self.separator())
        return "{" + self.separator() + joint.join(parts) + self.separator() + "}"

    def element(self) -> str:
        draw = self.rng.random()
        if draw < 0.25:
            return "?s ?p " + self.term()
        if draw < 0.4:
            return self.term() + " " + self.iri("p") + " " + self.term()
        if draw < 0.55:
            return "OPTIONAL { ?s ?p " + self.term() + " " + self.term() + " ?o }"
        if draw < 0.65:
            keyword = self.one("SERVICE", "SERVICE SILENT")
            target = self.one(f"<{self.remote}>", *[p + ":x" for p in self.prefixes])
            return keyword + self.separator() + target + " {}"
        if draw < 0.75:  # the engine reads `ex:`, `.` and what follows (`ex:.SERVICE`)
            name = self.one(*self.prefixes, "ex") + ":" + self.one(".", "-", "", ":")
            after = self.one(f"SERVICE <{self.remote}> {{}}", f"FROM <{self.data}g2>", "LOAD")
            return "?s ?p " + name + after
        if draw < 0.85:
            return "FILTER(?o != " + self.term() + ")"
        return "GRAPH " + self.iri("g1") + " { ?s ?p ?o }"

    # -- queries
    def query(self) -> str:
        prologue = self.prologue()
        form = self.one(
            "SELECT ?o",
            "SELECT *",
            "ASK",
            "CONSTRUCT",
            lambda: "DESCRIBE " + self.term() + " " + self.term(),
            lambda: "SELECT ?" + self.name(),
        )
        dataset = "".join(self.dataset_clause() for _ in range(self.rng.choice((0, 0, 1, 2))))
        where = self.one("WHERE ", "")
        return prologue + form + dataset + self.separator() + where + self.group() + self.tail()

    def dataset_clause(self) -> str:
        keyword = self.one("FROM", "FROM NAMED", "from")
        return self.separator() + keyword + self.separator() + self.iri(self.one("g1", "g2"))

    def tail(self) -> str:
        # LIMIT above any answer's size: which rows a smaller one keeps is the engine's choice
        return self.one(
            "",
            "",
            lambda: self.separator() + "LIMIT 1000",
            lambda: self.separator() + "VALUES ?" + self.name() + " { " + self.term() + " }",
            lambda: self.separator() + self.comment(),
        )

    # -- updates
    def update(self) -> str:
        out = self.prologue() + self.operation()
        for _ in range(self.rng.randrange(0, 3)):
            joint = self.one(
                ";", " ;", lambda: ";" + self.separator(), lambda: "; " + self.prologue()
            )
            # a keyword or a prefix right after `;` runs into the operation's first word
            run_in = self.one("", " ", lambda: self.one(*KEYWORDS), lambda: self.name() + ":")
            out += joint + run_in + self.operation()
        return out + self.one("", ";")

    def operation(self) -> str:
        return self.one(
            self.insert_data,
            self.insert_data,
            self.modify,
            lambda: self.modify(with_graph=True),
            self.clear,
            self.add,
            self.load,
            self.delete_where,
        )

    def insert_data(self) -> str:
        graph = self.one("", lambda: "GRAPH " + self.iri("g1") + " { ")
        value = self.term().replace("?", "'")
        triple = self.iri("s") + " " + self.iri("p") + " " + value
        return "INSERT DATA {" + self.separator() + graph + triple + " }" + "}" * bool(graph)

    def modify(self, with_graph: bool = False) -> str:
        graph = ""
        if with_graph:
            graph = self.one("WITH", "with") + self.separator() + self.iri("g1") + self.separator()
        template = "{" + self.separator() + self.template() + " }"
        using = "".join(self.using() for _ in range(self.rng.choice((0, 0, 1))))
        where = "WHERE" + self.separator() + self.group()
        change = self.one("INSERT", "DELETE") + self.separator() + template + using
        return graph + change + self.separator() + where

    def template(self) -> str:
        return self.one(
            "?s ?p 'n'",
            lambda: "GRAPH " + self.iri("g2") + " { ?s ?p 'n' }",
            lambda: "?s ?p ?" + self.name(),
            self.keyword_in_template,
        )

    def keyword_in_template(self) -> str:
        name = self.one(*self.prefixes, "ex") + ":" + self.one(".", "")
        keyword = self.one("WITH", "USING", "FROM")
        return "?s ?p " + name + keyword + self.separator() + f"<{self.data}g2>"

    def using(self) -> str:
        keyword = self.one("USING", "USING NAMED", "using")
        return self.separator() + keyword + self.separator() + self.iri("g2")

    def clear(self) -> str:
        verb = self.one("CLEAR", "DROP", "CREATE")
        space = self.one(" ", self.separator, "")
        graph = self.one("", "SILENT ") + "GRAPH" + space + self.iri("g2")
        return verb + self.separator() + graph

    def add(self) -> str:
        verb = self.one("ADD", "COPY", "MOVE")
        source = self.one("DEFAULT", lambda: "GRAPH " + self.iri("g1"))
        space = self.one(" ", self.separator, "")
        target = self.one("GRAPH ", "") + self.iri("g3")
        return verb + self.separator() + source + self.separator() + "TO" + space + target

    def load(self) -> str:
        source = self.one(f"<{self.remote}x>", f"<{self.data}x>")
        into = "INTO" + self.one(" ", "") + "GRAPH" + self.one(" ", "") + self.iri("g9")
        silent = self.one("", "SILENT ")
        return "LOAD" + self.separator() + silent + source + self.separator() + into

    def delete_where(self) -> str:
        return "DELETE WHERE {" + self.separator() + "?s ?p " + self.term() + " }"
