"""CLIP-format byte-level BPE: learns merges from the caption corpus and tokenizes exactly like CLIP's
simple_tokenizer (on ASCII captions: lower-case, whitespace collapse, the same split pattern, `</w>` word ends).

Vocabulary layout (as in CLIP's vocab.json): the 256 byte symbols, the same 256 with `</w>`, one token per learned
merge in merge order, then `<|startoftext|>` and `<|endoftext|>` last.
"""
import json
import re
from collections import Counter

# CLIP's pattern restricted to what ASCII captions contain; identical results on ASCII text.
SPLIT = re.compile(r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[a-z]+|[0-9]|[^\sa-z0-9]+""")
BOS, EOS = "<|startoftext|>", "<|endoftext|>"
CONTEXT = 77


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


BYTE_CHARS = bytes_to_unicode()


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def words(text: str):
    return ["".join(BYTE_CHARS[b] for b in w.encode("utf-8")) for w in SPLIT.findall(clean(text))]


def learn_merges(texts, max_merges=2000):
    """Classic BPE: repeatedly merge the most frequent adjacent pair (ties broken by the pair itself)."""
    freq = Counter()
    for t in texts:
        for w in words(t):
            freq[tuple(w[:-1]) + (w[-1] + "</w>",)] += 1
    merges = []
    vocab = dict(freq)
    while len(merges) < max_merges:
        pairs = Counter()
        for word, f in vocab.items():
            for a, b in zip(word, word[1:]):
                pairs[(a, b)] += f
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        merged = {}
        for word, f in vocab.items():
            out, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + f
        vocab = merged
    return merges


class Tokenizer:
    def __init__(self, vocab: dict, merges: list, pad_token: str = EOS):
        self.vocab = vocab
        self.ranks = {tuple(m): i for i, m in enumerate(merges)}
        self.bos, self.eos, self.pad = vocab[BOS], vocab[EOS], vocab[pad_token]

    @staticmethod
    def build(merges):
        symbols = list(BYTE_CHARS.values())
        tokens = symbols + [s + "</w>" for s in symbols] + ["".join(m) for m in merges] + [BOS, EOS]
        return Tokenizer({t: i for i, t in enumerate(tokens)}, merges)

    def bpe(self, word: str):
        parts = list(word[:-1]) + [word[-1] + "</w>"]
        while len(parts) > 1:
            pairs = [(self.ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, i = min(pairs)
            if rank == 1 << 30:
                break
            first, second = parts[i], parts[i + 1]
            out, j = [], 0  # merge every occurrence of the pair, left to right, as CLIP does
            while j < len(parts):
                if j < len(parts) - 1 and parts[j] == first and parts[j + 1] == second:
                    out.append(first + second)
                    j += 2
                else:
                    out.append(parts[j])
                    j += 1
            parts = out
        return parts

    def encode(self, text: str):
        body = [self.vocab[p] for w in words(text) for p in self.bpe(w)][: CONTEXT - 2]
        ids = [self.bos] + body + [self.eos]
        return ids + [self.pad] * (CONTEXT - len(ids))

    def save(self, folder, merges, pad_token=EOS):
        with open(f"{folder}/vocab.json", "w", encoding="utf-8") as f:
            json.dump(self.vocab, f, ensure_ascii=False)
        with open(f"{folder}/merges.txt", "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n")
            for a, b in merges:
                f.write(f"{a} {b}\n")
        special = {"bos_token": {"content": BOS, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
                   "eos_token": {"content": EOS, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
                   "pad_token": pad_token,
                   "unk_token": {"content": EOS, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}}
        with open(f"{folder}/special_tokens_map.json", "w") as f:
            json.dump(special, f, indent=2)
        config = {"add_prefix_space": False, "bos_token": special["bos_token"], "clean_up_tokenization_spaces": True,
                  "do_lower_case": True, "eos_token": special["eos_token"], "errors": "replace",
                  "model_max_length": CONTEXT, "pad_token": pad_token, "tokenizer_class": "CLIPTokenizer",
                  "unk_token": special["unk_token"]}
        with open(f"{folder}/tokenizer_config.json", "w") as f:
            json.dump(config, f, indent=2)
