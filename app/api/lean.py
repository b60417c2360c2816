"""Comments and indentation taken out of the scripts and styles served, once, when they are read.

The source keeps its comments for the people who read it; the browser needs none of them, and they
are a third of what a page sends even gzipped. This is no minifier: names, strings, template
literals, regular expressions and line breaks stay exactly as written (a line break can end a
statement in JavaScript), so what runs is the code in the repository, only without its notes.
"""

from __future__ import annotations

# After one of these, a "/" starts a regular expression; after anything else it divides.
REGEX_AFTER_WORDS = {
    "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case",
    "do", "else", "yield", "await",
}  # fmt: skip
WORD = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


def lean_js(text: str) -> str:
    """`text` without comments, indentation, trailing spaces and empty lines; the spaces and
    line breaks inside strings and template literals stay as written."""
    out: list[str] = []
    i, n = 0, len(text)
    braces: list[int] = []  # per open `${`: the depth of braces inside it
    last = ""  # the last significant code character or word, to tell a regex from a division
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "/":
            while i < n and text[i] != "\n":
                i += 1
            continue
        if c == "/" and nxt == "*":
            start = i
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            if "\n" in text[start:end]:  # a line break may end a statement: it stays, as one
                i = line_break(text, end, out)
            else:
                out.append(" ")
                i = end
            continue
        if c in "'\"":
            j = skip_string(text, i, c)
            out.append(text[i:j])
            i, last = j, "a"
            continue
        if c == "`" or (c == "}" and braces and braces[-1] == 0):
            if c == "}":
                braces.pop()
            j, opened = skip_template(text, i + 1)
            out.append(text[i:j])
            if opened:
                braces.append(0)
            i, last = j, "a"
            continue
        if c == "/" and regex_allowed(last):
            j = skip_regex(text, i)
            out.append(text[i:j])
            i, last = j, "a"
            continue
        if c in "{}" and braces:
            braces[-1] += 1 if c == "{" else -1
        if c in WORD:
            j = i
            while j < n and text[j] in WORD:
                j += 1
            last = text[i:j]
            out.append(last)
            i = j
            continue
        if c == "\n":
            i = line_break(text, i, out)
            continue
        if not c.isspace():
            last = c
        out.append(c)
        i += 1
    return "".join(out).strip() + "\n"


def line_break(text: str, i: int, out: list[str]) -> int:
    """One line break for a run of them, without the spaces around; returns where code goes on."""
    while out and out[-1] in (" ", "\t"):
        out.pop()
    while i < len(text) and text[i].isspace():
        i += 1
    if out and out[-1] != "\n":
        out.append("\n")
    return i


def regex_allowed(last: str) -> bool:
    if not last:
        return True
    if last[-1] in WORD:
        return last in REGEX_AFTER_WORDS
    return last not in ")]}"


def skip_string(text: str, i: int, quote: str) -> int:
    j = i + 1
    while j < len(text) and text[j] != quote:
        j += 2 if text[j] == "\\" else 1
    return j + 1


def skip_template(text: str, j: int) -> tuple[int, bool]:
    """From inside a template literal to its end (False) or to the `${` that opens code (True)."""
    while j < len(text):
        if text[j] == "\\":
            j += 2
        elif text[j] == "`":
            return j + 1, False
        elif text.startswith("${", j):
            return j + 2, True
        else:
            j += 1
    return j, False


def skip_regex(text: str, i: int) -> int:
    j, in_class = i + 1, False
    while j < len(text) and text[j] != "\n":
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            j += 1
            break
        j += 1
    while j < len(text) and text[j] in WORD:  # flags
        j += 1
    return j


def lean_css(text: str) -> str:
    """`text` without comments, indentation, trailing spaces and empty lines."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c in "'\"":
            j = skip_string(text, i, c)
            out.append(text[i:j])
            i = j
            continue
        out.append(c)
        i += 1
    lines = (line.strip() for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line) + "\n"
