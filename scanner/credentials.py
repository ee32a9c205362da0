"""Credentials file: which username/password to use for which device.

File format (YAML list)::

    - {scope: "*",            username: admin, password: "..."}
    - {scope: 10.1.0.0/16,    username: admin, password: "..."}
    - {scope: 10.1.2.3,       username: admin, password: "..."}

The most specific scope wins: a host beats a CIDR, a longer prefix beats a
shorter one, and "*" is the fallback. Like ssh with a private key, the file is
refused when group or others can read it.

Passwords never leave this module in readable form by accident: `Credential`
has a repr that hides the password, and error messages never quote file
content (PyYAML's own messages echo the offending line, so they are reduced to
line and column).

Every value is read as the text written, never as a YAML number or boolean: `password: 000000` is
"000000" (YAML 1.1 would give the integer 0), `password: 12:30` is "12:30" (not 750), `password: on`
is "on" (not True). The empty password, which some cameras ship with (an IDIS admin has no default
password: DC-D4517RXP manual), is written `password: ""`; `password:` with nothing after it is refused,
since it is as likely a field not filled in.
"""

from __future__ import annotations

import ipaddress
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import CredentialsError

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Credential:
    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:  # explicit, so a traceback or log line never shows the password
        return f"Credential(username={self.username!r}, password='***')"

    __str__ = __repr__


@dataclass(frozen=True)
class _Rule:
    network: _Network | None  # None means "*"
    credential: Credential

    @property
    def specificity(self) -> int:
        return -1 if self.network is None else self.network.prefixlen


class CredentialBook:
    """Looks up the credential for an address; empty book means "try without"."""

    def __init__(self, rules: tuple[_Rule, ...] = ()):
        # Most specific first, so the first rule that contains the address wins.
        self._rules = tuple(sorted(rules, key=lambda r: r.specificity, reverse=True))

    def __len__(self) -> int:
        return len(self._rules)

    def __repr__(self) -> str:
        return f"CredentialBook({len(self._rules)} rules)"

    def for_address(self, address: str) -> Credential | None:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return None
        for rule in self._rules:
            if rule.network is None or (ip.version == rule.network.version and ip in rule.network):
                return rule.credential
        return None

    @classmethod
    def single(cls, username: str, password: str) -> CredentialBook:
        return cls((_Rule(None, Credential(username, password)),))


def _check_permissions(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise CredentialsError(f"cannot read credentials file {path}: {exc.strerror}") from None
    if stat.S_ISDIR(mode):  # a folder was told to `chmod 600` (a pipe from <(...) stays welcome)
        raise CredentialsError(f"credentials file {path} is a directory; name the YAML file in it")
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CredentialsError(
            f"credentials file {path} is accessible by group or others (mode {stat.S_IMODE(mode):04o}); "
            f"run `chmod 600 {path}` first"
        )


def _parse_scope(value: object, index: int) -> _Network | None:
    text = str(value).strip()
    if text == "*":
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise CredentialsError(
            f"entry {index + 1}: scope {text!r} is not '*', an IP address or a CIDR"
        ) from None


class _TextLoader(yaml.SafeLoader):
    """safe_load's loader without its type guessing: a plain scalar is the text written (000000 stays
    "000000", not 0; on stays "on", not True). Merge keys (`<<: *defaults`) still work, and a tag
    (`!Admin123`, an unquoted password starting with "!") is refused as safe_load refuses it."""


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag == "tag:yaml.org,2002:merge"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _unquoted_blank(node: yaml.Node | None) -> tuple[str, int] | None:
    """(key, line) of the first username or password with nothing written after it, unquoted.

    `password:` may mean "no password" or "not filled in yet", and `password: !Admin1` or `password: &x`
    is a tag or an anchor on nothing, which YAML reads as the empty text: each would send a wrong login
    to every device in scope. Only `password: ""` says it."""
    if isinstance(node, yaml.SequenceNode):
        return next(filter(None, (_unquoted_blank(item) for item in node.value)), None)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (isinstance(key, yaml.ScalarNode) and key.value in ("username", "password")
                    and isinstance(value, yaml.ScalarNode) and value.value == "" and value.style is None):
                return key.value, value.start_mark.line + 1
            found = _unquoted_blank(value)
            if found:
                return found
    return None


def _read(path: Path) -> object:
    loader = _TextLoader(path.read_text(encoding="utf-8"))
    try:
        node = loader.get_single_node()
        blank = _unquoted_blank(node)
        if blank:
            key, line = blank
            raise CredentialsError(
                f"credentials file {path}, line {line}: {key} has no value; write {key}: \"\" for an empty one "
                "(a value starting with ! or & must be in quotes: YAML reads it as a tag or an anchor)")
        return loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def load_credentials(path: Path) -> CredentialBook:
    path = Path(path)
    _check_permissions(path)
    try:
        data = _read(path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CredentialsError(f"credentials file {path} is not valid YAML{where} (a value starting with !, & "
                               "or * must be in quotes)") from None
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        raise CredentialsError(f"credentials file {path} cannot be read as UTF-8 YAML") from None
    if data is None:
        data = []
    if not isinstance(data, list):
        raise CredentialsError(f"credentials file {path}: expected a list of {{scope, username, password}}")
    rules = []
    for index, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise CredentialsError(f"credentials file {path}: entry {index + 1} is not a mapping")
        missing = [key for key in ("scope", "username", "password") if key not in entry]
        if missing:
            raise CredentialsError(f"credentials file {path}: entry {index + 1} lacks {', '.join(missing)}")
        not_text = [key for key in ("scope", "username", "password") if not isinstance(entry[key], str)]
        if not_text:  # a list or a mapping where a value belongs; its content is not quoted
            raise CredentialsError(f"credentials file {path}: entry {index + 1}: {', '.join(not_text)} must be "
                                   "a single value, not a list or mapping")
        rules.append(_Rule(_parse_scope(entry["scope"], index), Credential(entry["username"], entry["password"])))
    return CredentialBook(tuple(rules))

